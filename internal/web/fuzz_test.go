package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
	"github.com/handover-project/handover/internal/web"
)

// FuzzCreateRecordJSON posts arbitrary bytes as a record to the API. The
// server must never fail (5xx); every refusal must be a JSON error with a
// kind; every record it accepts must read back exactly as it was answered.
func FuzzCreateRecordJSON(f *testing.F) {
	good := []string{
		`{"kind":"held","category":"military","surname":"Ковальчук","given_names":"Олександр","patronymic":"Миколайович","birth_date":"1998-05-23","service_number":"А-123456","unit":"в/ч А0224","rank":"солдат"}`,
		`{"kind":"sought","category":"civilian","full_name":"Шевченко Тарас Григорович","birth_date":"1998","disappearance_date":"2022-03","disappearance_circumstances":"Маріуполь"}`,
		`{"kind":"held","category":"military","surname":"Kovalchuk","latin_names":["Kovalchuk","Kovaltchouk"],"sex":"male","capture_date":"2023-01-02","capture_place":"Бахмут"}`,
		`{"party":"UA","kind":"held","category":"military","surname":"Бондар","health":"поранення","next_of_kin":"мати, Київ","source":"list 7","source_ref":"row 3"}`,
		`{"kind":"sought","category":"civilian","surname":"Kовальчук","identity_not_established":true,"detrimental":true,"detrimental_basis":"gc4_art137_2","detrimental_reason":"family","notes":"Latin K"}`,
	}
	bad := []string{
		``,
		`{}`,
		`null`,
		`[]`,
		`"x"`,
		`{"surname":`,
		`{"surname" "x"}`,
		`{"surnam":"x"}`,
		`{"surname":5}`,
		`{"kind":"held","category":"military","surname":"Х","birth_date":"31.02.1999"}`,
		`{"kind":"held","category":"military","surname":"Х","birth_date":"2999-01-01"}`,
		`{"kind":"held","category":"military","surname":"Х","birth_date":"1999-02-30"}`,
		`{"kind":"remains","category":"military","surname":"Х"}`,
		`{"kind":"held","category":"military","surname":"Х\u0000"}`,
		`{"party":"RU","kind":"held","category":"military","surname":"Чужий"}`,
		`{"party":"ZZ","kind":"held","category":"military","surname":"Нікого"}`,
		`{"kind":"held","category":"military","surname":"` + strings.Repeat("я", 3000) + `"}`,
		`{"kind":"held","category":"military","surname":"Х","latin_names":[null,1]}`,
		`{"kind":"held","category":"military","surname":"Х"} {}`,
		`{"kind":"held","category":"military","surname":"Х","birth_date":null,"sex":"x"}`,
		`{"kind":"held","category":"military","surname":"Ковальчук","surname":"Шевченко"}`,
		`{"kind":"held","category":"military","Surname":"Ковальчук"}`,
		`{"kind":"held","category":"military","surname":"Ковальчук","\u0073urname":"Шевченко"}`,
		`{"\u212aind":"held","category":"military","surname":"Ковальчук"}`,
		"{\"kind\":\"held\",\"category\":\"military\",\"surname\":\"Ковал\xffчук\"}",
		`{"kind":"held","category":"military","surname":"Ковальчук\ud800"}`,
	}
	for _, s := range append(good, bad...) {
		f.Add([]byte(s))
	}
	ctx := context.Background()
	db := sqltest.Open(f, "sqlite")
	for _, p := range [][2]string{{"UA", "Ukraine"}, {"RU", "Russian Federation"}} {
		if _, err := db.CreateParty(ctx, p[0], p[1]); err != nil {
			f.Fatal(err)
		}
	}
	if _, err := db.CreateUser(ctx, sqlstore.NewUser{Login: "ua-reg", Role: access.PartyRegistrar, Party: "UA",
		Password: "a long enough password", Argon2: cheap}); err != nil {
		f.Fatal(err)
	}
	token := mintToken(f, db, "ua-reg")
	h := web.New(db, slog.New(slog.DiscardHandler), web.Config{}).Handler()
	serve := func(method, path string, body []byte) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}

	// The seeds must reach both branches below, or the fuzz target checks
	// less than it claims.
	for _, s := range good {
		if w := serve("POST", "/api/v1/records", []byte(s)); w.Code != http.StatusCreated {
			f.Fatalf("good seed %s: %d %s, want 201", s, w.Code, w.Body)
		}
	}
	for _, s := range bad {
		if w := serve("POST", "/api/v1/records", []byte(s)); w.Code/100 != 4 {
			f.Fatalf("bad seed %s: %d %s, want 4xx", s, w.Code, w.Body)
		}
	}

	f.Fuzz(func(t *testing.T, body []byte) {
		w := serve("POST", "/api/v1/records", body)
		got := w.Body.Bytes()
		switch {
		case w.Code >= 500:
			t.Fatalf("status %d for body %q: %s", w.Code, body, got)
		case w.Code >= 400:
			var eb struct {
				Error struct{ Kind, Message string }
			}
			if err := json.Unmarshal(got, &eb); err != nil || eb.Error.Kind == "" || eb.Error.Message == "" {
				t.Fatalf("status %d with %q, want a JSON error with a kind and a message", w.Code, got)
			}
		case w.Code == http.StatusCreated:
			// Only a body with one reading is accepted: UTF-8, each key
			// once per object, keys in the API's (lower) case.
			if !utf8.Valid(body) {
				t.Fatalf("201 for a body that is not UTF-8: %q", body)
			}
			if k, ok := ambiguousKey(body); ok {
				t.Fatalf("201 for a body with key %q twice or in another case: %q", k, body)
			}
			var rec struct{ ID string }
			if err := json.Unmarshal(got, &rec); err != nil || rec.ID == "" {
				t.Fatalf("201 with %q, want a record with an id", got)
			}
			if loc := w.Header().Get("Location"); loc != "/api/v1/records/"+rec.ID {
				t.Errorf("Location %q, want /api/v1/records/%s", loc, rec.ID)
			}
			r := serve("GET", "/api/v1/records/"+rec.ID, nil)
			if r.Code != http.StatusOK || !bytes.Equal(r.Body.Bytes(), got) {
				t.Fatalf("record read back differs from the one created:\ncreated: %s\nread:    %d %s", got, r.Code, r.Body.Bytes())
			}
		default:
			t.Fatalf("status %d for a create: %s", w.Code, got)
		}
	})
}

// ambiguousKey walks a JSON body's tokens (with the lenient reader, so
// that it sees what a lenient server would) and returns a key that occurs
// twice in one object, or that is not all lower case.
func ambiguousKey(body []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct {
		object bool
		keys   map[string]bool
		key    bool // the next string token of an object is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				if top != nil && top.object {
					top.key = true
				}
				stack = append(stack, &frame{object: true, keys: map[string]bool{}, key: true})
			case '[':
				if top != nil && top.object {
					top.key = true
				}
				stack = append(stack, &frame{})
			default:
				stack = stack[:len(stack)-1]
			}
		case string:
			if top != nil && top.object && top.key {
				if top.keys[v] || strings.ToLower(v) != v {
					return v, true
				}
				top.keys[v] = true
				top.key = false
				continue
			}
			if top != nil && top.object {
				top.key = true
			}
		default:
			if top != nil && top.object {
				top.key = true
			}
		}
	}
}
