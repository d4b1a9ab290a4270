package web_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestStrictJSON: a body that two readers could read two ways is refused
// with a 400 that names the key, before anything is stored: a key given
// twice (the first value or the last?), a key in another case ("Surname"
// is not surname), bytes that are not UTF-8 (replaced by U+FFFD, a name
// would be stored other than sent), an unknown key, a second value.
func TestStrictJSON(t *testing.T) {
	e := newEnv(t, sqltest.Open(t, "sqlite"))
	const base = `"kind":"held","category":"military","given_names":"Олександр"`
	for _, tc := range []struct{ name, body, says string }{
		{"duplicate key", `{` + base + `,"surname":"Ковальчук","surname":"Шевченко"}`, `"surname"`},
		{"duplicate key nested", `{"records":[{` + base + `,"surname":"Ковальчук","unit":"a","unit":"b"}]}`, `"unit"`},
		{"duplicate key by escape", `{` + base + `,"surname":"Ковальчук","\u0073urname":"Шевченко"}`, `surname`},
		{"case-folded key", `{` + base + `,"Surname":"Ковальчук"}`, `"Surname"`},
		{"case-folded key upper", `{` + base + `,"SURNAME":"Ковальчук"}`, `"SURNAME"`},
		{"case-folded key with the key", `{` + base + `,"surname":"Ковальчук","Surname":"Шевченко"}`, `"Surname"`},
		{"kelvin sign folds to k", `{"\u212aind":"held","category":"military","surname":"Ковальчук"}`, "\u212aind"},
		{"invalid UTF-8 in a value", `{` + base + `,"surname":"Ковал` + "\xff" + `чук"}`, "UTF-8"},
		{"invalid UTF-8 in a key", `{` + base + `,"surname":"Ковальчук","no` + "\xc3" + `tes":"x"}`, "UTF-8"},
		{"lone surrogate", `{` + base + `,"surname":"Ковальчук\ud800"}`, "UTF-8"},
		{"unknown key", `{` + base + `,"surname":"Ковальчук","surnme":"x"}`, `"surnme"`},
		{"two values", `{` + base + `,"surname":"Ковальчук"} {}`, "one JSON value"},
		{"trailing garbage", `{` + base + `,"surname":"Ковальчук"} x`, "one JSON value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := "/api/v1/records"
			if strings.HasPrefix(tc.body, `{"records"`) {
				path = "/api/v1/records/batch"
			}
			st, b := e.do("ua-reg", "POST", path, tc.body)
			var eb struct {
				Error struct{ Kind, Message string }
			}
			if err := json.Unmarshal(b, &eb); err != nil {
				t.Fatalf("not a JSON error: %d %s", st, b)
			}
			if st != 400 || eb.Error.Kind != "invalid" {
				t.Fatalf("got %d %s, want 400 invalid: %s", st, eb.Error.Kind, b)
			}
			if !strings.Contains(eb.Error.Message, tc.says) {
				t.Errorf("message %q does not name %s", eb.Error.Message, tc.says)
			}
		})
	}
	// Nothing of the refused bodies was stored.
	if st, b := e.do("ua-reg", "GET", "/api/v1/records", nil); st != 200 || strings.Contains(string(b), "Ковальчук") {
		t.Errorf("a refused body was stored: %d %s", st, b)
	}
	// The strict reader still reads what clients send.
	if st, b := e.do("ua-reg", "POST", "/api/v1/records", `{`+base+`,"surname":"Ковальчук","birth_date":"1998-05","latin_names":["Kovalchuk"]}`); st != 201 {
		t.Errorf("a well-formed record: %d %s", st, b)
	}
}
