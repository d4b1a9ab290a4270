package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestNoSecretInHelp: with secrets in the environment, no command's
// --help, nor the usage printed after a mistyped flag or a missing
// argument, shows them. A flag whose default came from HANDOVER_TOKEN
// printed the token as "(default …)" in every data command's help.
func TestNoSecretInHelp(t *testing.T) {
	const token, dbPassword, dataKey = "hov_canaryTOKEN0123456789", "canaryPASSWORD", "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"
	env := map[string]string{
		"HANDOVER_TOKEN":    token,
		"HANDOVER_DB":       "postgres://handover:" + dbPassword + "@127.0.0.1:1/handover?sslmode=disable",
		"HANDOVER_DATA_KEY": dataKey,
		"HANDOVER_SERVER":   "http://127.0.0.1:1",
	}
	dir := t.TempDir()
	env["HANDOVER_DIR"] = dir
	run := func(args ...string) string {
		var out, errb bytes.Buffer
		m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		m.Run(ctx, args)
		return out.String() + errb.String()
	}
	cmds := commands()
	if len(cmds) < 40 {
		t.Fatalf("only %d commands: the table did not load", len(cmds))
	}
	helps := 0
	for _, c := range cmds {
		name := strings.Fields(c.name)
		for _, args := range [][]string{
			append(append([]string{}, name...), "--help"),
			append(append([]string{}, name...), "--no-such-flag"),
			append([]string{"help"}, name...),
		} {
			out := run(args...)
			if strings.Contains(out, "Usage:") {
				helps++
			}
			for what, secret := range map[string]string{"HANDOVER_TOKEN": token, "the password in HANDOVER_DB": dbPassword, "HANDOVER_DATA_KEY": dataKey} {
				if strings.Contains(out, secret) {
					t.Errorf("handover %s shows %s:\n%s", strings.Join(args, " "), what, out)
				}
			}
		}
	}
	if helps < 2*len(cmds) {
		t.Errorf("only %d of %d runs printed a usage: the test reads the wrong stream", helps, 3*len(cmds))
	}
	// The errors of a command that cannot reach its database or server
	// name them without the password or the token.
	for _, args := range [][]string{{"--help"}, {"nothing"}, {"record"}, {"record", "nothing"},
		{"serve", "--listen", "127.0.0.1:0"}, {"user", "list"}, {"record", "list"}} {
		if out := run(args...); strings.Contains(out, token) || strings.Contains(out, dbPassword) {
			t.Errorf("handover %s shows a secret:\n%s", strings.Join(args, " "), out)
		}
	}
}
