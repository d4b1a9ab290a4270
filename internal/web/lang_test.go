package web_test

import (
	"fmt"
	"html"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/match"
	"github.com/handover-project/handover/internal/names"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// The language test: a page in Ukrainian or Russian shows no English.

var (
	// invisible is what a reader never sees (scripts, styles, comments)
	// and what is machine text, not words of a language: codes, ids,
	// hashes, keys and the canonical agreement document (<code>, <pre>,
	// <kbd>, <samp>).
	invisible = regexp.MustCompile(`(?is)<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->|<code\b.*?</code>|<pre\b.*?</pre>|<kbd\b.*?</kbd>|<samp\b.*?</samp>`)
	// urlPath is a path of the site written in a sentence ("/enrol").
	urlPath = regexp.MustCompile(`(^|\s)/[\w/.{}-]*`)
	// shownAttr are the attributes a reader sees or hears: tooltips,
	// labels read aloud, placeholders, alternative texts, and the value
	// of a button.
	shownAttr = regexp.MustCompile(`(?i)\s(?:title|aria-label|placeholder|alt|aria-description)="([^"]*)"|<input\b[^>]*\stype="(?:submit|button)"[^>]*\svalue="([^"]*)"`)
	tag       = regexp.MustCompile(`(?s)<[^>]*>`)
	// latinWord is a word in Latin letters; a word with a digit in it (an
	// id, a hash, a key) is not a word of a language and is skipped.
	latinWord = regexp.MustCompile(`[\p{L}\p{N}][\p{L}\p{N}'’._+/-]*`)
	latinOnly = regexp.MustCompile(`^[A-Za-z]+(?:['’-][A-Za-z]+)*$`)
)

// visibleText is the text a reader of an HTML page sees or hears: the
// text between the tags and the shown attributes, entities decoded.
func visibleText(page string) string {
	page = invisible.ReplaceAllString(page, " ")
	var b strings.Builder
	for _, m := range shownAttr.FindAllStringSubmatch(page, -1) {
		b.WriteString(m[1] + " " + m[2] + "\n")
	}
	b.WriteString(tag.ReplaceAllString(page, "\n"))
	return urlPath.ReplaceAllString(html.UnescapeString(b.String()), " ")
}

// allowedLatin are the Latin words a Ukrainian or Russian page may show:
// abbreviations and names of formats, standards, programs and keys that
// officials write in Latin letters too.
var allowedLatin = map[string]bool{
	"API": true, "PDF": true, "XLSX": true, "CSV": true, "JSON": true, "UTF": true, "UTC": true, "HXL": true, "TOML": true,
	"Excel": true, "Windows": true, "KOI": true, "ICAO": true, "Doc": true, "SHA": true, "QR": true, "Ed": true,
	"III": true, "IV": true, "NC": true, "A": true, "B": true, "N": true, "English": true, "otpauth": true, "Enter": true, "handover": true,
	"NAME": true, "HASH": true, "BASE": true, "base": true, "witness": true, "signer": true,
	"j": true, "k": true, "c": true, "r": true, "u": true, "d": true, "uk": true, "ru": true, "en": true,
}

// englishIn returns the lines of text with Latin words that are neither
// allowed nor among the data's own words (names in Latin, logins, ids),
// each as "word: line".
func englishIn(text string, data map[string]bool) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		for _, w := range englishWords(line, data) {
			out = append(out, w+": "+strings.Join(strings.Fields(line), " "))
		}
	}
	return out
}

func englishWords(text string, data map[string]bool) []string {
	var out []string
	for _, w := range latinWord.FindAllString(text, -1) {
		w = strings.Trim(w, "'’._+/-")
		if strings.ContainsAny(w, "0123456789") {
			continue
		}
		for _, part := range strings.FieldsFunc(w, func(r rune) bool { return r == '/' || r == '.' || r == '_' || r == '+' }) {
			if !latinOnly.MatchString(part) || allowedLatin[part] || data[part] || data[strings.ToLower(part)] {
				continue
			}
			if sub := strings.Split(part, "-"); len(sub) > 1 && !slices.ContainsFunc(sub, func(s string) bool { return !allowedLatin[s] && !data[s] && !data[strings.ToLower(s)] }) {
				continue
			}
			out = append(out, part)
		}
	}
	return out
}

// TestNoEnglishOnPages walks every page of the route table as every role
// in Ukrainian and in Russian — with every id put in its parameters, and
// with an empty form posted to every form route (field errors, refusals)
// — in the states the page tests reach: an exchange in negotiation with
// offers unanswered and shortfalls, an agreement signed, an open stage
// with parity blockers and events, records, a disclosed match, 404s and
// refusals. It fails on any word in Latin letters a reader sees (text,
// tooltips, labels, placeholders) that is not on the allow-list of
// abbreviations and formats, nor a name, login or id of the data.
func TestNoEnglishOnPages(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		if db.Dialect() != "sqlite" {
			t.Skip("the pages say the same on both databases: walked once")
		}
		e := newEnv(t, db)
		a := newAPIStage(t, e, map[string][]map[string]any{"UA": heldBodies("UA", 4), "RU": heldBodies("RU", 4)}, 3)
		// The stage: two of UA's persons crossed, RU's none: parity
		// blockers on the stage page.
		path := "/api/v1/exchanges/" + a.ex + "/stages/1/events"
		for _, id := range a.held["UA"][:2] {
			e.must("ua-officer", "POST", path, map[string]any{"events": []any{map[string]any{"id": "h-" + id, "type": "released", "at": "2025-05-23T09:00:00Z", "side": "UA", "record_id": id}}}, nil, 200)
			e.must("ru-officer", "POST", path, map[string]any{"events": []any{map[string]any{"id": "r-" + id, "type": "received", "at": "2025-05-23T09:01:00Z", "side": "UA", "record_id": id,
				"check": map[string]any{"method": "document"}, "health": "good"}}}, nil, 200)
		}
		// An exchange in negotiation: offers unanswered, a shortfall.
		var ex2 struct{ ID string }
		e.must("op", "POST", "/api/v1/exchanges", map[string]any{"name": "переговори", "parties": []string{"UA", "RU"}, "crossings": []string{"пункт"},
			"terms": map[string]any{"kind": "numeric", "total": 5, "reference": "2027-01-06T00:00:00Z", "rules": []any{map[string]any{"id": "mil", "category": "military", "min_age": 18, "require_consent": true}}}}, &ex2, 201)
		e.must("ua-reg", "POST", "/api/v1/exchanges/"+ex2.ID+"/lists/offer", map[string]any{"items": []any{map[string]any{"record_id": a.held["UA"][3], "category": "military"}}, "reason": "пропозиція"}, nil, 201)
		// A sought record.
		var srec struct{ ID string }
		e.must("ua-reg", "POST", "/api/v1/records", map[string]any{"kind": "sought", "category": "military", "status": "missing", "surname": "Шукаємий", "given_names": "Іван", "birth_date": "1992-01-02"}, &srec, 201)
		// The backlog: UA requests the sought person, RU answers "not held";
		// UA's bureau flags him.
		e.must("ua-reg", "POST", "/api/v1/exchanges/"+ex2.ID+"/lists/request", map[string]any{"items": []any{map[string]any{"record_id": srec.ID, "category": "military"}}, "reason": "запит"}, nil, 201)
		e.must("ru-reg", "POST", "/api/v1/exchanges/"+ex2.ID+"/lists/UA/request/answers", map[string]any{"version": 1, "answers": []any{map[string]any{"record_id": srec.ID, "answer": "not_held", "reason": "немає"}}}, nil, 201)
		e.must("ua-reg", "POST", "/api/v1/backlog/"+srec.ID+"/flags", map[string]any{"marks": []string{"held_longest", "woman", "wounded"}, "group": "Азовсталь"}, nil, 200)

		// The neutral's interview of one of RU's persons.
		e.must("op", "POST", "/api/v1/exchanges/"+a.ex+"/interviews", map[string]any{"record_id": a.held["RU"][0], "at": "2026-01-05T10:30:00Z",
			"place": "колонія №1", "interviewer": "Делегат", "organisation": "МКЧХ", "outcome": "wishes_return", "notes": "спокійний"}, nil, 201)

		// Remains: a batch, a package, one body claimed by UA.
		e.must("op", "POST", "/api/v1/exchanges/"+a.ex+"/remains", map[string]any{"kind": "batch", "batch": map[string]any{"id": "b1", "sender": "RU", "receiver": "UA", "at": "2025-05-23T10:00:00Z", "declared": 2}}, nil, 201)
		e.must("op", "POST", "/api/v1/exchanges/"+a.ex+"/remains", map[string]any{"kind": "package", "package": map[string]any{"id": "p1", "batch": "b1"}}, nil, 201)
		e.must("op", "POST", "/api/v1/exchanges/"+a.ex+"/remains", map[string]any{"kind": "remains", "remains": map[string]any{"id": "t1", "batch": "b1", "claim": map[string]any{"side": "UA"}, "packages": []string{"p1"}}}, nil, 201)
		// A matching run: UA's sought person and RU's held one, confirmed
		// and disclosed; a second pair left undecided.
		op, _ := db.UserByLogin(t.Context(), "op")
		run, err := db.SaveMatchRun(t.Context(), op.Scope(), sqlstore.MatchRun{SoughtParty: "UA", HeldParty: "RU", Threshold: 0.5},
			[]match.Pair{{LeftID: srec.ID, RightID: a.held["RU"][3], Score: 0.99, Weight: 20}, {LeftID: srec.ID, RightID: a.held["RU"][2], Score: 0.6, Weight: 3}})
		if err != nil {
			t.Fatal(err)
		}
		e.must("op", "POST", "/api/v1/matching/decisions", map[string]any{"sought_id": srec.ID, "held_id": a.held["RU"][3], "decision": "confirm", "reason": "той самий"}, nil, 201)
		if st, b := e.do("op", "POST", "/api/v1/matching/disclosures", map[string]any{"sought_id": srec.ID, "held_id": a.held["RU"][3]}); st != 204 {
			t.Fatalf("disclose: %d %s", st, b)
		}

		// The data's own words: names in Latin letters, logins.
		data := map[string]bool{}
		for _, s := range []string{"Петренко", "Іван", "Шукаємий", "Ukraine", "Russian", "Federation"} {
			for _, w := range strings.Fields(names.Latin(s)) {
				data[w], data[strings.ToLower(w)] = true, true
			}
		}
		for _, p := range []string{"UA", "RU"} {
			data[p] = true
			for i := range 4 {
				for _, w := range strings.Fields(names.Latin(fmt.Sprintf("Петренко%s", p))) {
					data[w], data[strings.ToLower(w)] = true, true
				}
				_ = i
			}
		}
		logins := []string{}
		for _, u := range users {
			logins = append(logins, u.login)
		}
		logins = append(logins, "ru-appr", "ru-officer")
		for _, l := range logins {
			for _, w := range strings.Split(l, "-") {
				data[w] = true
			}
		}
		for _, k := range []string{"ua", "ru", "med", "key", "signed", "border", "offer", "ok", "mil", "test", "spare"} {
			data[k] = true // the keys, names and reasons the fixture typed
		}

		c := &crawler{e: e, values: map[string][]string{
			"id":    {a.ex, ex2.ID, a.held["UA"][0], a.held["RU"][0], srec.ID, fmt.Sprint(run.ID), "999999"},
			"n":     {"1", "7"},
			"party": {"RU", "UA"},
			"kind":  {"offer", "request"},
			"login": {"ru-reg"},
			"name":  {"ua-key", "no-such-key"},
			"size":  {"1"},
			"path":  {"app.css"},
		}}
		found := map[string][]string{} // word → where
		for _, lang := range []string{"uk", "ru"} {
			for _, login := range logins {
				u, err := db.UserByLogin(t.Context(), login)
				if err != nil {
					t.Fatal(err)
				}
				if err := db.SetUserLang(t.Context(), u.ID, lang); err != nil {
					t.Fatal(err)
				}
			}
			for _, login := range logins {
				for _, rt := range e.srv.Routes() {
					if !rt.UI || strings.HasPrefix(rt.Path, "/static/") || rt.Path == "/logout" || strings.HasSuffix(rt.Path, "/queue") ||
						rt.Method != "GET" && (strings.HasPrefix(rt.Path, "/admin/") || strings.HasPrefix(rt.Path, "/account")) {
						continue // an empty form there ends sessions or accounts; the queue takes the offline page's JSON
					}
					for _, p := range c.paths(t, rt.Path) {
						st, h, body := c.request(t, login, true, rt.Method, p)
						if !strings.HasPrefix(h.Get("Content-Type"), "text/html") || st/100 == 3 {
							continue // a file, or a redirect's body no browser shows
						}
						for _, w := range englishIn(visibleText(string(body)), data) {
							where := fmt.Sprintf("%s %s %s as %s (%d)", lang, rt.Method, p, login, st)
							if len(found[w]) < 2 {
								found[w] = append(found[w], where)
							}
						}
					}
				}
			}
		}
		// The printed list and the workbook a page links to are in the
		// page's language.
		for _, chk := range []struct{ login, path string }{
			{"ua-officer", "/exchanges/" + a.ex + "/stages/1/lists/UA/pdf"},
			{"op", "/exchanges/" + a.ex + "/report/xlsx"},
		} {
			u, _ := db.UserByLogin(t.Context(), chk.login)
			if err := db.SetUserLang(t.Context(), u.ID, "uk"); err != nil {
				t.Fatal(err)
			}
			st, h, body := c.request(t, chk.login, true, "GET", chk.path)
			text := responseText(t, h, body)
			if st != 200 || !strings.Contains(text, "передано") || !strings.Contains(text, "військовий") || strings.Contains(text, "handed_over") {
				t.Errorf("%s in Ukrainian (%d):\n%s", chk.path, st, text)
			}
			// Parity is a boolean cell, which Excel shows in its own
			// language.
			cells := map[string]bool{"TRUE": true, "FALSE": true}
			for k := range data {
				cells[k] = true
			}
			for _, w := range englishIn(text, cells) {
				t.Errorf("%s in Ukrainian shows %s", chk.path, w)
			}
		}
		words := make([]string, 0, len(found))
		for w := range found {
			words = append(words, w)
		}
		sort.Strings(words)
		for _, w := range words {
			t.Errorf("%s\n\ton %s", w, strings.Join(found[w], "; "))
		}
		t.Logf("%d requests", c.requests)
	})
}
