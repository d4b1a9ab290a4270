package web_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// dateForms reads the table of date forms every input takes
// (internal/person/testdata/dates.tsv): what is typed, and the ISO date
// read or the code of the refusal.
func dateForms(t *testing.T) [][2]string {
	t.Helper()
	f, err := os.Open("../person/testdata/dates.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][2]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			in, want, _ := strings.Cut(l, "\t")
			out = append(out, [2]string{in, want})
		}
	}
	return out
}

// TestDateFormsEveryInput: the same table of date forms through the API
// (a record's birth date, the trace search), the record form and the trace
// page: every form read alike, every refusal a field error on birth_date.
func TestDateFormsEveryInput(t *testing.T) {
	e := newEnv(t, sqltest.Open(t, "sqlite"))
	reg := e.session("ua-reg")
	for i, tc := range dateForms(t) {
		in, want := tc[0], tc[1]
		refused := strings.HasPrefix(want, "date_")
		surname := "Гуцулко" + strings.Repeat("в", i+1)
		t.Run(in, func(t *testing.T) {
			// API.
			st, b := e.do("ua-reg", "POST", "/api/v1/records", map[string]any{"kind": "sought", "category": "military",
				"surname": surname, "given_names": "Павло", "birth_date": in})
			var rec struct {
				ID        string `json:"id"`
				BirthDate string `json:"birth_date"`
			}
			json.Unmarshal(b, &rec)
			switch {
			case refused && (st != 400 || !strings.Contains(string(b), "birth_date")):
				t.Errorf("API: %d %s, want 400 on birth_date", st, b)
			case !refused && (st != 201 || rec.BirthDate != want):
				t.Errorf("API: %d %s, want %s", st, b, want)
			}
			// The record form.
			st, body, h := e.page(reg, "POST", "/records/new", url.Values{"kind": {"sought"}, "category": {"military"},
				"surname": {surname + "а"}, "given_names": {"Павло"}, "birth_date": {in}})
			switch {
			case refused && (st != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-birth_date"`)):
				t.Errorf("form: %d, want the error beside birth_date", st)
			case !refused && st != http.StatusSeeOther:
				t.Errorf("form: %d\n%s", st, body)
			case !refused:
				_, page, _ := e.page(reg, "GET", h.Get("Location"), nil)
				if !strings.Contains(page, surname+"а") {
					t.Errorf("form: the record page does not show the record")
				}
			}
			if refused {
				return
			}
			// The trace search, API and page, by the form typed.
			st, b = e.do("ua-reg", "GET", "/api/v1/trace?name="+url.QueryEscape(surname)+"&birth_date="+url.QueryEscape(in), nil)
			if st != 200 || !strings.Contains(string(b), rec.ID) {
				t.Errorf("trace API by %q: %d %s, want %s", in, st, b, rec.ID)
			}
			st, body, _ = e.page(reg, "GET", "/trace?name="+url.QueryEscape(surname)+"&birth_date="+url.QueryEscape(in), nil)
			if st != 200 || !strings.Contains(body, "/trace/"+rec.ID) {
				t.Errorf("trace page by %q: %d, want %s", in, st, rec.ID)
			}
		})
	}
	// A trace search by a date that is not one says so, on birth_date.
	if st, b := e.do("ua-reg", "GET", "/api/v1/trace?name=Гуцул&birth_date=31.02.1987", nil); st != 400 || !strings.Contains(string(b), "birth_date") {
		t.Errorf("trace by 31.02.1987: %d %s", st, b)
	}
}
