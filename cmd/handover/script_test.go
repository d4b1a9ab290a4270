package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/handover-project/handover/internal/access"
)

// TestMain lets the test binary act as the handover command inside the
// scripts of testdata/script (and for tests that run "handover" from the
// PATH it sets), so they run the real command tree. There,
// HANDOVER_TEST_KILL_AT=STEP kills the command with SIGKILL when it
// reaches STEP (Main.reached): what a kill leaves behind is then on disk
// to be seen. The variable is read here only, never by the program.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"handover": func() {
			hm := NewMain()
			if step := os.Getenv("HANDOVER_TEST_KILL_AT"); step != "" {
				hm.stopAt = func(s string) {
					if s == step {
						if p, err := os.FindProcess(os.Getpid()); err == nil {
							p.Kill()
						}
						select {} // SIGKILL is on its way
					}
				}
			}
			os.Exit(hm.Run(interruptContext(), os.Args[1:]))
		},
	})
}

// TestScripts runs the CLI as a user runs it: testdata/script/*.txtar.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// waitfile FILE: wait up to 30 s for FILE to exist (a server's URL file).
			"waitfile": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: waitfile FILE")
				}
				deadline := time.Now().Add(30 * time.Second)
				for time.Now().Before(deadline) {
					if _, err := os.Stat(ts.MkAbs(args[0])); err == nil {
						return
					}
					time.Sleep(20 * time.Millisecond)
				}
				ts.Fatalf("%s did not appear", args[0])
			},
			// envfile NAME FILE: set NAME to FILE's first line.
			"envfile": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: envfile NAME FILE")
				}
				b, err := os.ReadFile(ts.MkAbs(args[1]))
				ts.Check(err)
				ts.Setenv(args[0], strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
			},
			// envmatch NAME REGEXP: set NAME to the first group of REGEXP in
			// the last command's stdout (a one-time code it printed).
			"envmatch": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: envmatch NAME REGEXP")
				}
				m := regexp.MustCompile(args[1]).FindStringSubmatch(ts.ReadFile("stdout"))
				if len(m) < 2 {
					ts.Fatalf("stdout does not match %s", args[1])
				}
				ts.Setenv(args[0], m[1])
			},
			// totp NAME FILE [STEPS]: set NAME to the code an authenticator
			// app shows for the TOTP secret in FILE, STEPS 30-second steps
			// from now (the server accepts one step either side; a code
			// works once).
			"totp": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 && len(args) != 3 {
					ts.Fatalf("usage: totp NAME FILE [STEPS]")
				}
				steps := 0
				if len(args) == 3 {
					var err error
					steps, err = strconv.Atoi(args[2])
					ts.Check(err)
				}
				secret := strings.TrimSpace(ts.ReadFile(args[1]))
				code, err := access.TOTPCode(secret, time.Now().Add(time.Duration(steps)*30*time.Second))
				ts.Check(err)
				ts.Setenv(args[0], code)
			},
			// envjson NAME FILE EXPR: set NAME from a demo-credentials.json:
			// EXPR is url or LOGIN.token, LOGIN.password or LOGIN.totp_secret.
			"envjson": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 3 {
					ts.Fatalf("usage: envjson NAME FILE EXPR")
				}
				v, err := credValue(ts.MkAbs(args[1]), args[2])
				ts.Check(err)
				ts.Setenv(args[0], v)
			},
		},
		Setup: func(env *testscript.Env) error {
			env.Setenv("HANDOVER_SERVER", "")
			env.Setenv("HANDOVER_TOKEN", "")
			env.Setenv("HANDOVER_DIR", "")
			env.Setenv("HANDOVER_DB", "")
			env.Setenv("HANDOVER_DATA_KEY", "")
			env.Setenv("HANDOVER_TEST_KILL_AT", "")
			return nil
		},
	})
}

func credValue(path, expr string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	var c demoCredentials
	if err := json.Unmarshal(b, &c); err != nil {
		return "", err
	}
	if expr == "url" {
		return c.URL, nil
	}
	login, field, _ := strings.Cut(expr, ".")
	for _, u := range c.Users {
		if u.Login == login {
			switch field {
			case "token":
				return u.Token, nil
			case "totp_secret":
				return u.TOTPSecret, nil
			}
			return u.Password, nil
		}
	}
	return "", fmt.Errorf("no user %s in %s", login, path)
}
