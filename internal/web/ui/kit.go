package ui

import (
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/names"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/web/httpx"
)

// The officer's device at a crossing with no signal (docs/design/
// crossing.md, "The stage kit"): the stage screen's script keeps a kit of
// the stage in IndexedDB — what the officer may see of its persons, with
// the search terms the server files them under — and a queue of the
// events recorded with no connection, which it sends to /queue. The queue
// answers each event by its client id (applied, duplicate or refused with
// the reason in the user's language); nothing else counts as accepted: a
// redirect to the login page, an error page, a lost connection leave the
// event waiting. A service worker (/sw.js) keeps the page's shell.

func (s *UI) registerUIKitRoutes() {
	s.page("GET", "/exchanges/{id}/stages/{n}/kit", access.ReportRead, "The stage kit for the officer's device: the persons the user may see, with their search terms (JSON).", s.handleStageKit)
	s.page("POST", "/exchanges/{id}/stages/{n}/queue", access.HandoverRecord, "Record the events an officer's device queued, each answered by its client id (JSON).", s.handleStageQueue)
	s.page("GET", "/sw.js", access.Public, "The service worker that keeps the officer's screen working offline.", s.handleServiceWorker)
}

// kitVersion is the format of the kit; a script that finds another throws
// its stored kit away and fetches a new one.
const kitVersion = 1

// stageKit is what an officer's device keeps of a stage.
type stageKit struct {
	Version          int    `json:"v"`
	Exchange         string `json:"exchange"`
	Stage            int    `json:"stage"`
	State            string `json:"state"`
	AgreementVersion int    `json:"agreement_version"`
	AgreementHash    string `json:"agreement_hash"`
	BuiltAt          string `json:"built_at"`
	// User is the account the kit was built for; Party its party ("" for
	// the mediator's officers); Record whether it may record events.
	User   int64  `json:"user"`
	Party  string `json:"party"`
	Record bool   `json:"record"`
	Lang   string `json:"lang"`
	// Sides are the stage's two parties.
	Sides   []string    `json:"sides"`
	Persons []kitPerson `json:"persons"`
	// Letters is the skeleton's letter table (names.SkeletonLetters).
	Letters map[string]string `json:"letters"`
	// Text holds the screen's words in the user's language.
	Text map[string]string `json:"text"`
}

// kitPerson is one person of the stage as the kit holds them: never a
// sensitive field (health, next of kin) — StagePerson has none — and only
// the id, category and outcome of a person withheld from the user.
type kitPerson struct {
	ID            string   `json:"id"`
	Side          string   `json:"side"`
	Category      string   `json:"cat"`
	Reserve       bool     `json:"res,omitempty"`
	Name          string   `json:"name,omitempty"`
	Latin         string   `json:"latin,omitempty"`
	BirthDate     string   `json:"birth,omitempty"`
	Rank          string   `json:"rank,omitempty"`
	ServiceNumber string   `json:"sn,omitempty"`
	Withheld      bool     `json:"wh,omitempty"`
	Outcome       string   `json:"out"`
	Words         []string `json:"w,omitempty"`
	Codes         []string `json:"c,omitempty"`
}

// kitTerms returns the terms the kit files a person under, as the register
// search files a record (sqlstore recordTerms): each word of the name under
// its skeletons — here with the forms of its dictionary group
// (names.FiledForms), so that the browser needs no dictionary — or as
// written when it has none, each part of a double name too; and the folded
// service number with its digit tail.
func kitTerms(p sqlstore.StagePerson) (words, codes []string) {
	add := func(out []string, t string) []string {
		if t == "" {
			return out
		}
		for _, have := range out {
			if have == t {
				return out
			}
		}
		return append(out, t)
	}
	for _, v := range []string{p.Surname, p.GivenNames, p.Patronymic, p.FullName} {
		for _, w := range strings.Split(names.Normalize(v), " ") {
			w = strings.Trim(w, `,;:.!?()[]{}"«»„“”`)
			ws := []string{w}
			if strings.Contains(w, "-") {
				ws = append(ws, strings.FieldsFunc(w, func(r rune) bool { return r == '-' })...)
			}
			for _, w := range ws {
				forms := names.FiledForms(w)
				if len(forms) == 0 {
					words = add(words, w)
				}
				for _, f := range forms {
					words = add(words, f)
				}
			}
		}
	}
	if sn := person.FoldCode(p.ServiceNumber); sn != "" {
		codes = add(codes, sn)
		i := len(sn)
		for i > 0 && sn[i-1] >= '0' && sn[i-1] <= '9' {
			i--
		}
		if i > 0 && len(sn)-i >= 3 {
			codes = add(codes, sn[i:])
		}
	}
	return words, codes
}

// kitTextKeys are the messages the offline screen shows, sent with the kit
// in the user's language.
var kitTextKeys = []string{
	"stage.releasedbtn", "stage.refusedbtn", "stage.notpresented", "stage.receivedbtn", "stage.observedhandover",
	"stage.observedrefusal", "stage.side", "stage.nohits", "field.birth_date", "stage.method", "stage.health",
	"value.military", "value.civilian", "value.seriously_wounded_sick", "value.remains",
	"check.document", "check.service_number", "check.photo", "check.interview",
	"health.good", "health.not_wounded", "health.recovered", "health.convalescent", "health.sick", "health.slightly_wounded", "health.seriously_wounded",
	"outcome.outstanding", "outcome.handed_over", "outcome.refused", "outcome.not_presented", "outcome.identity_mismatch",
	"outcome.replaced", "outcome.reserve", "outcome.unlisted", "outcome.released", "outcome.received", "outcome.unconfirmed", "outcome.disputed",
	"list.withheld", "stage.reserve", "offline.queued", "offline.queuedcard", "offline.kitfrom", "offline.type.released", "offline.type.refused",
	"offline.type.not_presented", "offline.type.received", "offline.type.observed_handover", "offline.type.observed_refusal",
}

func (s *UI) handleStageKit(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	ctx := r.Context()
	id, n, err := httpx.StagePath(r)
	if err != nil {
		return err
	}
	st, err := s.db.Stage(ctx, sc, id, n)
	if err != nil {
		return err
	}
	c := s.chromeFor(r, "stage.title")
	k := stageKit{Version: kitVersion, Exchange: id, Stage: n, State: st.State, AgreementVersion: st.AgreementVersion, AgreementHash: st.AgreementHash,
		BuiltAt: time.Now().UTC().Format(time.RFC3339), User: sc.UserID, Party: sc.Party, Lang: c.lang(),
		Letters: names.SkeletonLetters(), Text: map[string]string{}, Persons: []kitPerson{}}
	accepts := st.State == crossing.Open.String() || st.State == crossing.Closing.String()
	k.Record = accepts && access.Decide(sc, access.HandoverRecord, access.Resource{Party: sc.Party}) == nil
	for _, key := range kitTextKeys {
		k.Text[key] = c.T(key)
	}
	for _, p := range parityOf(st.Report) {
		k.Sides = append(k.Sides, p.Side)
	}
	if accepts {
		// A closed or cancelled stage has no kit: the device drops its own.
		for _, side := range k.Sides {
			l, err := s.db.StageList(ctx, sc, id, n, side)
			if err != nil {
				return err
			}
			for _, e := range l.Persons {
				p := e.StagePerson
				kp := kitPerson{ID: p.RecordID, Side: p.Side, Category: string(p.Category), Reserve: p.Reserve, Name: p.Name(),
					Rank: p.Rank, ServiceNumber: p.ServiceNumber, Withheld: p.Withheld, Outcome: string(e.Outcome)}
				if kp.Name != "" {
					kp.Latin = names.Latin(kp.Name)
				}
				if !p.BirthDate.IsZero() {
					kp.BirthDate = c.Day(p.BirthDate)
				}
				kp.Words, kp.Codes = kitTerms(p)
				k.Persons = append(k.Persons, kp)
			}
		}
	}
	httpx.WriteJSON(w, http.StatusOK, k)
	return nil
}

// queueAnswer is the queue's answer to one event, by its client id.
type queueAnswer struct {
	ID string `json:"id"`
	// Status is "applied", "duplicate" (recorded before: nothing changed)
	// or "refused"; the first two are the acceptance the device waits for.
	Status string `json:"status"`
	// Message says, in the user's language, what to correct: each field by
	// its label. Controls are the screen's settings to mark.
	Message  string            `json:"message,omitempty"`
	Controls map[string]string `json:"controls,omitempty"`
}

type queueAnswers struct {
	Results []queueAnswer `json:"results"`
}

func (s *UI) handleStageQueue(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	id, n, err := httpx.StagePath(r)
	if err != nil {
		return err
	}
	var in struct {
		Events []crossing.Event `json:"events"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	c := s.chromeFor(r, "stage.title")
	out := queueAnswers{Results: make([]queueAnswer, 0, len(in.Events))}
	var events []crossing.Event
	refuse := map[string]error{}
	for _, e := range in.Events {
		if e.ID == "" {
			return errs.E("web.queue", errs.Invalid, errs.FieldError{Field: "id", Message: "every queued event has its client id"})
		}
		switch e.Type {
		case crossing.Released, crossing.Refused, crossing.NotPresented, crossing.SubstitutedBy, crossing.Received,
			crossing.ObservedHandover, crossing.ObservedRefusal, crossing.IdentityMismatch, crossing.RefusalWithdrawn, crossing.Disputed:
			events = append(events, e)
		default:
			refuse[e.ID] = errs.E("web.queue", errs.Invalid, errs.FieldError{Field: "type", Message: "not an action of the officer's screen"})
		}
	}
	var res sqlstore.RecordResult
	if len(events) > 0 {
		res, err = s.db.RecordEvents(r.Context(), sc, id, n, events)
		if err != nil && !errs.Is(errs.Invalid, err) && !errs.Is(errs.Conflict, err) {
			return err // not answered: the device keeps every event waiting
		}
		if err != nil {
			// The stage refused the whole queue (closed, say): each event
			// is refused with that reason.
			for _, e := range events {
				refuse[e.ID] = err
			}
		}
	}
	got := map[string]crossing.Result{}
	for _, x := range res.Results {
		got[x.ID] = x
	}
	for _, e := range in.Events {
		a := queueAnswer{ID: e.ID}
		if err, ok := refuse[e.ID]; ok {
			a.Status = "refused"
			a.Message, a.Controls = eventRefusal(c, err)
		} else if x, ok := got[e.ID]; ok {
			a.Status = x.Status
			if x.Status == "refused" {
				a.Message, a.Controls = eventRefusal(c, x.Err)
			}
		} else {
			continue // no answer for it: it stays waiting on the device
		}
		out.Results = append(out.Results, a)
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// handleServiceWorker serves the service worker from the site's root, so
// that it may keep the pages under /exchanges/.
func (s *UI) handleServiceWorker(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	b, err := fs.ReadFile(uiFS, "static/sw.js")
	if err != nil {
		return errs.E("web.sw", errs.Internal, err)
	}
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(b)
	return nil
}
