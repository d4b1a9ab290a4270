// Command handover is the one binary of the handover system: the server, the
// demo, administration, data import and export, record linkage, signing and
// verification. main stays tiny; the work is in Main.Run so tests can run the
// real program in-process.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	m := NewMain()
	code := m.Run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
