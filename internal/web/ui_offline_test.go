package web_test

import (
	"html"
	"net/url"
	"regexp"
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
