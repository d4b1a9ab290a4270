package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/names"
)

func runNamesCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	m := NewMain()
	m.Stdin, m.Stdout, m.Stderr = strings.NewReader(stdin), &out, &errb
	code = m.Run(context.Background(), args)
	return code, out.String(), errb.String()
}

func TestNamesCompare(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		contains []string
	}{
		{"match", []string{"names", "compare", "Олександр Миколайович Ковальчук", "KOVALCHUK ALEKSANDR"}, 0,
			[]string{"score  0.952", "match  true (threshold 0.85)", "surname", "equivalent", "patronymic  Миколайович  -", "missing"}},
		{"different", []string{"names", "compare", "Ковальчук Сергій", "Ковальчук Степан"}, 0,
			[]string{"match  false", "different"}},
		{"threshold", []string{"names", "compare", "Ковальчук Сергій", "Ковальчук Степан", "--threshold", "0.5"}, 0,
			[]string{"match  true (threshold 0.5)"}},
		{"one name", []string{"names", "compare", "Ковальчук"}, 2, nil},
		{"bad threshold", []string{"names", "compare", "a", "b", "--threshold", "2"}, 2, nil},
		{"help", []string{"names", "compare", "--help"}, 0, []string{"Usage: handover names compare"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runNamesCLI(t, "", tc.args...)
			if code != tc.code {
				t.Fatalf("exit: got %d, want %d (stderr %q)", code, tc.code, errOut)
			}
			for _, s := range tc.contains {
				if !strings.Contains(out, s) {
					t.Errorf("stdout: got %q, want it to contain %q", out, s)
				}
			}
		})
	}
}

func TestNamesScore(t *testing.T) {
	in := "\ufeffid,name1,name2,label\n" +
		"1,Шевченко Т.Г.,Taras Shevchenko,1\n" +
		"2,\"Kovalchuk, Oleksandr\",Ковальчук Сергій,0\n"
	code, out, errOut := runNamesCLI(t, in, "names", "score")
	if code != 0 {
		t.Fatalf("exit: got %d, want 0 (stderr %q)", code, errOut)
	}
	s1 := names.CompareFull("Шевченко Т.Г.", "Taras Shevchenko").Score
	s2 := names.CompareFull("Kovalchuk, Oleksandr", "Ковальчук Сергій").Score
	want := "id,name1,name2,label,score,match\n" +
		fmt.Sprintf("1,Шевченко Т.Г.,Taras Shevchenko,1,%.3f,true\n", s1) +
		fmt.Sprintf("2,\"Kovalchuk, Oleksandr\",Ковальчук Сергій,0,%.3f,false\n", s2)
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}

	code, out, _ = runNamesCLI(t, in, "names", "score", "--threshold", "0.5")
	if code != 0 || !strings.Contains(out, fmt.Sprintf("%.3f,true", s2)) {
		t.Errorf("--threshold 0.5: got exit %d and %q, want the second pair to match", code, out)
	}
}

func TestNamesScoreBadInput(t *testing.T) {
	tests := []struct {
		name, in, where string
	}{
		{"empty", "", "row 1"},
		{"no name2", "name1,other\na,b\n", "name2"},
		{"short row", "name1,name2\nonly\n", "row 2"},
		{"unterminated quote", "name1,name2\n\"a,b\n", "row 2"},
		{"bad utf8", "name1,name2\n\xff,b\n", "row 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runNamesCLI(t, tc.in, "names", "score")
			if code != 2 {
				t.Fatalf("exit: got %d, want 2 (stderr %q)", code, errOut)
			}
			if !strings.Contains(errOut, tc.where) {
				t.Errorf("stderr: got %q, want it to say %q", errOut, tc.where)
			}
			if strings.Contains(out, "score") {
				t.Errorf("stdout: got %q, want no header written before the error", out)
			}
		})
	}
}

func TestNamesScoreQuotesInNames(t *testing.T) {
	in := "name1,name2\nIvan \"Vanya\" Petrov,Іван Петров\n"
	code, out, errOut := runNamesCLI(t, in, "names", "score")
	if code != 0 {
		t.Fatalf("exit: got %d, want 0 (stderr %q)", code, errOut)
	}
	if !strings.Contains(out, ",true\n") {
		t.Errorf("got %q, want the pair to match", out)
	}
}
