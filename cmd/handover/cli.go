package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/handover-project/handover/internal/errs"
)

// Main is the program: its standard streams and environment are fields so
// that tests run the real command tree in-process.
type Main struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string

	// stopAt, when set (by the tests only), is called at the named steps
	// of a long command, so that a test can kill the process there and
	// see what a kill leaves behind (TestBackupKilledLeavesNoClearCopy).
	stopAt func(step string)
}

// reached tells the tests' stopAt that a command has reached step.
func (m *Main) reached(step string) {
	if m.stopAt != nil {
		m.stopAt(step)
	}
}

// NewMain returns a Main wired to the process's streams and environment.
func NewMain() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
}

// command is one subcommand. run receives the arguments after the command
// name (and after the sub-subcommand for groups). Errors are reported by Run:
// errs.Invalid becomes exit status 2, everything else 1.
type command struct {
	name    string // "record add" for a group member
	summary string // one line for the command list
	usage   string // full --help text: synopsis, description, example
	run     func(ctx context.Context, m *Main, args []string) error
}

// Run runs one command line and returns the process exit status.
func (m *Main) Run(ctx context.Context, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			return m.Run(ctx, append(args[1:], "--help"))
		}
		m.printCommands(m.Stdout)
		return 0
	}
	cmd, rest, ok := lookup(args)
	if !ok {
		fmt.Fprintf(m.Stderr, "handover: unknown command %q\n\n", strings.Join(args[:min(2, len(args))], " "))
		m.printCommands(m.Stderr)
		return 2
	}
	err := cmd.run(ctx, m, rest)
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return m.report(cmd.name, err)
}

// report prints err for a user and returns its exit status.
func (m *Main) report(name string, err error) int {
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(m.Stderr, "handover %s: %s\nRun 'handover %s --help' for usage.\n", name, ue.msg, name)
		return 2
	}
	kind := errs.KindOf(err)
	msg := errs.Message(err)
	if kind == errs.Internal {
		// The cause goes to the terminal of the person running the command:
		// it is their own process, so there is nothing to hide from them.
		msg = err.Error()
	}
	fmt.Fprintf(m.Stderr, "handover %s: %s\n", name, msg)
	for _, f := range errs.Fields(err) {
		fmt.Fprintf(m.Stderr, "  %s\n", f)
	}
	if kind == errs.Invalid {
		return 2
	}
	return 1
}

func lookup(args []string) (command, []string, bool) {
	cmds := commands()
	if len(args) >= 2 {
		two := args[0] + " " + args[1]
		for _, c := range cmds {
			if c.name == two {
				return c, args[2:], true
			}
		}
	}
	for _, c := range cmds {
		if c.name == args[0] {
			return c, args[1:], true
		}
	}
	// A group name alone ("record") lists its members.
	var group []command
	for _, c := range cmds {
		if strings.HasPrefix(c.name, args[0]+" ") {
			group = append(group, c)
		}
	}
	if len(group) > 0 {
		return command{name: args[0], run: func(ctx context.Context, m *Main, rest []string) error {
			w := m.Stdout
			if len(rest) > 0 && rest[0] != "--help" && rest[0] != "-h" {
				w = m.Stderr
			}
			fmt.Fprintf(w, "Usage: handover %s <command> [flags]\n\nCommands:\n", args[0])
			for _, c := range group {
				fmt.Fprintf(w, "  %-22s %s\n", c.name, c.summary)
			}
			if w == m.Stderr {
				return usageError{fmt.Sprintf("unknown command %q", rest[0])}
			}
			return nil
		}}, args[1:], true
	}
	return command{}, nil, false
}

func (m *Main) printCommands(w io.Writer) {
	fmt.Fprintln(w, "handover carries a negotiated prisoner exchange from the first list to the last person home.")
	fmt.Fprintln(w, "\nUsage: handover <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-22s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'handover <command> --help' for a command's flags and an example.")
}

// usageError is a mistake in the command line itself (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// newFlagSet returns a FlagSet for cmd whose --help prints cmd.usage and the
// flags to m.Stdout, and whose parse errors become usage errors.
func (m *Main) newFlagSet(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet("handover "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintln(m.Stdout, strings.TrimSpace(usage))
		fmt.Fprintln(m.Stdout, "\nFlags:")
		fs.SetOutput(m.Stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parseFlags parses args with fs, allowing flags after positional arguments
// ("handover link a.csv b.csv --out p.csv"), and turns errors into usage
// errors. It returns the positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, flag.ErrHelp // flag has printed the usage
			}
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
