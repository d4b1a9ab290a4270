package person_test

import (
	"bufio"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/person"
)

// dateForm is one row of testdata/dates.tsv: what is typed, and the date
// read (ISO) or the code of its refusal.
type dateForm struct{ in, want, code string }

func readDateForms(t *testing.T) []dateForm {
	t.Helper()
	f, err := os.Open("testdata/dates.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []dateForm
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "#") || sc.Text() == "" {
			continue
		}
		in, want, _ := strings.Cut(sc.Text(), "\t")
		if strings.HasPrefix(want, "date_") {
			out = append(out, dateForm{in: in, code: want})
		} else {
			out = append(out, dateForm{in: in, want: want})
		}
	}
	if len(out) < 10 {
		t.Fatalf("%d date forms", len(out))
	}
	return out
}

// TestReadDateForms: the one date parser reads every form of the table
// and refuses, with its code, what the table refuses.
func TestReadDateForms(t *testing.T) {
	for _, tc := range readDateForms(t) {
		t.Run(tc.in, func(t *testing.T) {
			d, err := person.ReadDate(tc.in)
			if tc.code != "" {
				var de *person.DateError
				if !errors.As(err, &de) || de.Code != tc.code {
					t.Fatalf("ReadDate(%q) = %v, %v; want refusal %s", tc.in, d, err, tc.code)
				}
				return
			}
			if err != nil || d.String() != tc.want {
				t.Fatalf("ReadDate(%q) = %v, %v; want %s", tc.in, d, err, tc.want)
			}
			// The API reads the same forms.
			var j person.Date
			if err := j.UnmarshalJSON([]byte(`"` + tc.in + `"`)); err != nil || j != d {
				t.Errorf("JSON %q = %v, %v", tc.in, j, err)
			}
		})
	}
}
