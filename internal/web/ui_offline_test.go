package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// formMessage is the text of a page's form message (p#form-message).
func formMessage(body string) string {
	m := regexp.MustCompile(`(?s)<p class="error" role="alert" id="form-message">(.*?)</p>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// TestPagesStageRefusalNamesField: a refused action of the officer's
// screen names the field in the user's language, once, without an event
// code, marks the field and opens the settings section it is in.
func TestPagesStageRefusalNamesField(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		id, held, _ := signedExchange(t, e, db, 3, "")
		e.must("op", "POST", "/api/v1/exchanges/"+id+"/stages", map[string]any{"stage": 1}, nil, 201)
		officer := e.sessionUK("ua-officer")
		rec := held["UA"][0]
		stage := "/exchanges/" + id + "/stages/1"
		codes := []string{"refused", "refusal_witness", "substituted_by", "required_for", "handed_over", "reserve:"}

		// A refusal without the mediator's observer.
		st, body, _ := e.page(officer, "POST", stage+"/record", url.Values{"type": {"refused"}, "side": {"UA"}, "record_id": {rec}, "event": {"rf-1"}, "q": {rec}})
		wantPage(t, "refusal without observer", st, body, 422, `aria-invalid="true" aria-describedby="observer-err"`, `id="observer-err"`)
		msg := formMessage(body)
		if !strings.Contains(msg, "Спостерігач посередника") {
			t.Errorf("the refusal does not name the field: %q", msg)
		}
		if !regexp.MustCompile(`<details open id="settings"`).MatchString(body) {
			t.Errorf("the settings section with the observer is not opened")
		}
		for _, c := range codes {
			if strings.Contains(msg, c) {
				t.Errorf("the message shows the code %q: %q", c, msg)
			}
		}

		// A substitution without the reserve: the domain's required_for.
		st, body, _ = e.page(officer, "POST", stage+"/record", url.Values{"type": {"substituted_by"}, "side": {"UA"}, "record_id": {rec}, "event": {"sb-1"}, "q": {rec}})
		wantPage(t, "substitution without reserve", st, body, 422)
		msg = formMessage(body)
		if !strings.Contains(msg, "Резерв") || strings.Count(msg, "Обов’язкове") != 1 {
			t.Errorf("the substitution's refusal: %q", msg)
		}
		for _, c := range codes {
			if strings.Contains(msg, c) {
				t.Errorf("the message shows the code %q: %q", c, msg)
			}
		}
	})
}

// TestPagesOfficerHome: the officer's home lists the stages the officer
// can work, each one click from its screen; before a stage opens it says
// there is none.
func TestPagesOfficerHome(t *testing.T) {
	db := sqltest.Open(t, "sqlite")
	e := newEnv(t, db)
	id, _, _ := signedExchange(t, e, db, 2, "")
	officer := e.session("ua-officer")
	st, body, _ := e.page(officer, "GET", "/", nil)
	wantPage(t, "home before the stage opens", st, body, 200, `id="my-stages"`, "No stage you may work is open now.")
	e.must("op", "POST", "/api/v1/exchanges/"+id+"/stages", map[string]any{"stage": 1}, nil, 201)
	st, body, _ = e.page(officer, "GET", "/", nil)
	wantPage(t, "home with the stage open", st, body, 200, `<a href="/exchanges/`+id+`/stages/1" class="stage-link">`)
	// A registrar records no handover: no list of stages to work.
	if _, body, _ = e.page(e.session("ua-reg"), "GET", "/", nil); strings.Contains(body, `id="my-stages"`) {
		t.Errorf("the registrar's home lists stages to work")
	}
}

// queuePost sends a device's queue to the stage's …/queue with the session
// cookie, as offline.js does (JSON, no redirect followed).
func (e *env) queuePost(cookie, path string, events ...map[string]any) (int, queueAnswers, string) {
	e.t.Helper()
	b, _ := json.Marshal(map[string]any{"events": events})
	req, _ := http.NewRequest("POST", e.ts.URL+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "__Host-handover", Value: cookie})
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out queueAnswers
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		json.Unmarshal(raw, &out)
	}
	if resp.StatusCode == http.StatusSeeOther {
		return resp.StatusCode, out, resp.Header.Get("Location")
	}
	return resp.StatusCode, out, string(raw)
}

type queueAnswers struct {
	Results []struct {
		ID       string            `json:"id"`
		Status   string            `json:"status"`
		Message  string            `json:"message"`
		Controls map[string]string `json:"controls"`
	} `json:"results"`
}

// TestPagesStageQueue: the device's queue is answered per client id, in
// order: applied, duplicate when sent again, refused with the field named
// in the user's language and the setting to mark; an ended session is
// answered with the login page, which accepts nothing.
func TestPagesStageQueue(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		id, held, _ := signedExchange(t, e, db, 4, "")
		e.must("op", "POST", "/api/v1/exchanges/"+id+"/stages", map[string]any{"stage": 1}, nil, 201)
		officer := e.sessionUK("ua-officer")
		queue := "/exchanges/" + id + "/stages/1/queue"
		rel := map[string]any{"id": "q-1", "type": "released", "side": "UA", "record_id": held["UA"][0]}
		np := map[string]any{"id": "q-2", "type": "not_presented", "side": "UA", "record_id": held["UA"][1]}
		ref := map[string]any{"id": "q-3", "type": "refused", "side": "UA", "record_id": held["UA"][2]}
		rcv := map[string]any{"id": "q-4", "type": "received", "side": "RU", "record_id": held["RU"][0], "check": map[string]any{"method": "document"}, "health": "good"}
		st, ans, body := e.queuePost(officer, queue, rel, ref, np, rcv)
		if st != 200 || len(ans.Results) != 4 {
			t.Fatalf("queue: %d %s", st, body)
		}
		want := []string{"applied", "refused", "applied", "applied"}
		for i, r := range ans.Results {
			if r.ID != []string{"q-1", "q-3", "q-2", "q-4"}[i] || r.Status != want[i] {
				t.Errorf("answer %d: %+v, want %s", i, r, want[i])
			}
		}
		if r := ans.Results[1]; !strings.Contains(r.Message, "Спостерігач посередника: Обов’язкове.") || r.Controls["observer"] == "" || strings.Contains(r.Message, "refused") {
			t.Errorf("the refusal: %+v", r)
		}
		// Sent again (the answer was lost): duplicates, nothing recorded twice.
		st, ans, body = e.queuePost(officer, queue, rel, np)
		if st != 200 || len(ans.Results) != 2 || ans.Results[0].Status != "duplicate" || ans.Results[1].Status != "duplicate" {
			t.Fatalf("queue again: %d %s", st, body)
		}
		// A second device of the officer recorded the same person under its
		// own id: refused, said, kept on that device; nothing overwritten.
		second := map[string]any{"id": "q-1b", "type": "not_presented", "side": "UA", "record_id": held["UA"][0]}
		if _, ans, body = e.queuePost(officer, queue, second); len(ans.Results) != 1 || ans.Results[0].Status != "refused" || ans.Results[0].Message == "" {
			t.Errorf("a second recording of the person: %s", body)
		}
		// The same id with other content is not accepted.
		other := map[string]any{"id": "q-1", "type": "not_presented", "side": "UA", "record_id": held["UA"][0]}
		if _, ans, body = e.queuePost(officer, queue, other); len(ans.Results) != 1 || ans.Results[0].Status != "refused" {
			t.Errorf("another event under an accepted id: %s", body)
		}
		// The refused one, corrected, under its own id.
		med, _ := db.UserByLogin(context.Background(), "med-officer")
		ref["observer"] = "user:" + strconv.FormatInt(med.ID, 10)
		if _, ans, body = e.queuePost(officer, queue, ref); len(ans.Results) != 1 || ans.Results[0].Status != "applied" {
			t.Errorf("the corrected refusal: %s", body)
		}
		// An action the officer's screen does not queue, and an event without its id.
		if _, ans, body = e.queuePost(officer, queue, map[string]any{"id": "q-5", "type": "stage_closed"}); len(ans.Results) != 1 || ans.Results[0].Status != "refused" {
			t.Errorf("a stage event in the queue: %s", body)
		}
		if st, _, _ = e.queuePost(officer, queue, map[string]any{"type": "released", "side": "UA", "record_id": held["UA"][0]}); st != 400 {
			t.Errorf("an event without its id: %d", st)
		}
		// An ended session: the login page, no answer for any id.
		if _, err := db.EndUserSessions(context.Background(), mustUser(t, db, "ua-officer")); err != nil {
			t.Fatal(err)
		}
		st, ans, loc := e.queuePost(officer, queue, rcv)
		if st != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") || len(ans.Results) != 0 {
			t.Errorf("with the session ended: %d %q %+v", st, loc, ans)
		}
		// The registrar records nothing at the crossing.
		if st, _, _ = e.queuePost(e.session("ua-reg"), queue, rcv); st != 403 {
			t.Errorf("the registrar's queue: %d", st)
		}
	})
}

func mustUser(t *testing.T, db *sqlstore.DB, login string) int64 {
	t.Helper()
	u, err := db.UserByLogin(context.Background(), login)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}
