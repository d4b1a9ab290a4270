package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// interruptContext is cancelled on SIGINT or SIGTERM.
func interruptContext() context.Context {
	ctx, _ := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	return ctx
}
