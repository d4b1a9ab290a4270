package main

import (
	"bytes"
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestCommandTable: the command table is one explicit list, sorted, each
// command with a name, a one-line summary, a usage with an example and a
// run function; no file registers commands from an init function.
func TestCommandTable(t *testing.T) {
	cmds := commands()
	if len(cmds) < 60 {
		t.Fatalf("only %d commands in the table", len(cmds))
	}
	names := make([]string, len(cmds))
	for i, c := range cmds {
		names[i] = c.name
		switch {
		case c.name == "" || c.name != strings.TrimSpace(c.name) || len(strings.Fields(c.name)) > 2:
			t.Errorf("command %d: name %q is not one or two words", i, c.name)
		case c.summary == "" || strings.Contains(c.summary, "\n"):
			t.Errorf("%s: summary %q is not one line", c.name, c.summary)
		case c.run == nil:
			t.Errorf("%s: no run function", c.name)
		case !strings.Contains(c.usage, "Usage: handover "+c.name) || !strings.Contains(c.usage, "Example"):
			t.Errorf("%s: the usage does not start with its synopsis or has no example:\n%s", c.name, c.usage)
		}
	}
	if !slices.IsSorted(names) {
		t.Errorf("the table is not sorted by name: %v", names)
	}
	if len(slices.Compact(slices.Clone(names))) != len(names) {
		t.Errorf("a name is in the table twice: %v", names)
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range af.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && fn.Name.Name == "init" {
				t.Errorf("%s: an init function: commands go into the table in commands.go, nothing registers itself", fset.Position(fn.Pos()))
			}
		}
	}
}

// TestHelpListsEveryCommand: 'handover help' (and no arguments) lists
// every command of the table with its summary, once, in the table's
// order; a group name lists its members; an unknown command is refused
// with the list, exit status 2.
func TestHelpListsEveryCommand(t *testing.T) {
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
		return m.Run(context.Background(), args), out.String(), errb.String()
	}
	line := regexp.MustCompile(`(?m)^  (\S+(?: \S+)?) +(\S.*)$`)
	for _, args := range [][]string{{"help"}, {}, {"--help"}} {
		code, out, _ := run(args...)
		if code != 0 {
			t.Fatalf("handover %v: exit %d", args, code)
		}
		var listed [][2]string
		for _, m := range line.FindAllStringSubmatch(out, -1) {
			listed = append(listed, [2]string{strings.TrimSpace(m[1]), m[2]})
		}
		cmds := commands()
		if len(listed) != len(cmds) {
			t.Fatalf("handover %v lists %d commands, the table has %d:\n%s", args, len(listed), len(cmds), out)
		}
		for i, c := range cmds {
			if listed[i] != [2]string{c.name, c.summary} {
				t.Errorf("handover %v: line %d is %q, want %q %q", args, i+1, listed[i], c.name, c.summary)
			}
		}
	}
	code, out, _ := run("stage")
	if code != 0 || !strings.Contains(out, "Usage: handover stage <command>") || !strings.Contains(out, "  stage open ") || strings.Contains(out, "  record add ") {
		t.Errorf("handover stage: exit %d\n%s", code, out)
	}
	code, _, errOut := run("no-such-command")
	if code != 2 || !strings.Contains(errOut, `unknown command "no-such-command"`) || !strings.Contains(errOut, "  scenario ") {
		t.Errorf("unknown command: exit %d\n%s", code, errOut)
	}
	code, _, errOut = run("stage", "no-such")
	if code != 2 || !strings.Contains(errOut, `unknown command "no-such"`) {
		t.Errorf("unknown member of a group: exit %d\n%s", code, errOut)
	}
}
