package web

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
)

// The crossing: the officer's screen at a stage. One large search box
// (name in any script, service number or record id), the persons found
// with their outcome, the actions of the execution issue in one or two
// clicks, and the stage's parity per side and category, refreshed by htmx
// every three seconds. Keyboard only: the search box has the focus; when
// the search finds one person still to cross, the "handed over" button has
// it, so that Enter records. Every form carries an event id made when the
// page was drawn: sending it twice records the event once.

func (s *Server) registerUICrossingRoutes() {
	s.page("GET", "/crossing", access.ReportRead, "The crossing: open the officer's screen of a stage.", s.handleCrossingPage)
	s.page("GET", "/exchanges/{id}/stages/{n}", access.ReportRead, "The officer's screen of a stage: search, person's card, actions, live parity.", s.handleStagePage)
	s.page("POST", "/exchanges/{id}/stages/{n}/record", access.HandoverRecord, "Record one handover event from the officer's screen.", s.handleStageRecord)
	s.page("POST", "/exchanges/{id}/stages/{n}/close", access.StageManage, "Close the stage (with a discrepancy reason when parity fails).", s.handleStageClose)
}

type crossingView struct {
	chrome
	Exchange string
	Stage    string
}

func (s *Server) handleCrossingPage(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	q := r.URL.Query()
	ex, n := strings.TrimSpace(q.Get("exchange")), strings.TrimSpace(q.Get("stage"))
	if ex != "" && n != "" {
		if k, err := strconv.Atoi(n); err == nil && k > 0 {
			s.redirect(w, r, "/exchanges/"+url.PathEscape(ex)+"/stages/"+strconv.Itoa(k))
			return nil
		}
	}
	s.render(w, r, http.StatusOK, "crossing.html", crossingView{chrome: s.chromeFor(r, "crossing.title"), Exchange: ex, Stage: n})
	return nil
}

// stageHit is a person found, with what the officer may do.
type stageHit struct {
	sqlstore.LookupHit
	Open     bool // no final outcome: may be handed over, refused, not presented
	Replace  bool // may be replaced by a reserve
	Reserves []sqlstore.StageListEntry
	EventID  string
	Focus    bool
}

// paritySide is one side's counts per category, in order.
type paritySide struct {
	Side  string
	Rows  []parityRow
	Total crossing.Counts
}

type parityRow struct {
	Category person.Category
	crossing.Counts
}

type stageView struct {
	chrome
	St        sqlstore.StageView
	Q         string
	Receiver  string
	Observer  string
	Method    string
	Hits      []stageHit
	Searched  bool
	Parity    []paritySide
	MayRecord bool
	MayClose  bool
	Methods   []string
	Healths   []string
	Base      string
	Settings  string // the officer's settings as a query string
}

func newEventID() string {
	var b [12]byte
	rand.Read(b[:])
	return "ui-" + hex.EncodeToString(b[:])
}

func (s *Server) handleStagePage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	v, err := s.stagePage(r, sc)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "stage.html", v)
	return nil
}

func (s *Server) stagePage(r *http.Request, sc access.Scope) (stageView, error) {
	ctx := r.Context()
	id := r.PathValue("id")
	n, err := stageNumber(r)
	if err != nil {
		return stageView{}, err
	}
	st, err := s.db.Stage(ctx, sc, id, n)
	if err != nil {
		return stageView{}, err
	}
	q := r.URL.Query()
	if r.Method == http.MethodPost {
		q = r.PostForm
	}
	v := stageView{chrome: s.chromeFor(r, "stage.title"), St: st, Q: strings.TrimSpace(q.Get("q")),
		Receiver: strings.TrimSpace(q.Get("receiver")), Observer: strings.TrimSpace(q.Get("observer")), Method: q.Get("method"),
		Methods: []string{"document", "service_number", "photo", "interview"},
		Healths: []string{"good", "not_wounded", "recovered", "convalescent", "sick", "slightly_wounded", "seriously_wounded"},
		Base:    "/exchanges/" + url.PathEscape(id) + "/stages/" + strconv.Itoa(n)}
	v.Title = v.T("stage.heading", n, st.Crossing)
	if v.Method == "" {
		v.Method = "document"
	}
	v.Settings = url.Values{"receiver": {v.Receiver}, "observer": {v.Observer}, "method": {v.Method}}.Encode()
	accepts := st.State == crossing.Open.String() || st.State == crossing.Closing.String()
	v.MayRecord = accepts && access.Decide(sc, access.HandoverRecord, access.Resource{Party: sc.Party}) == nil
	v.MayClose = accepts && access.Decide(sc, access.StageManage, access.Resource{}) == nil
	if done := q.Get("done"); done != "" {
		// The person's name from the stage, never from the address.
		who := q.Get("rec")
		if who != "" {
			if hits, err := s.db.Lookup(ctx, sc, id, n, who, 1); err == nil && len(hits) == 1 && hits[0].RecordID == who {
				who = hits[0].Name() + " (" + who + ")"
			}
		}
		v.Flash = v.T("stage.done."+done, who)
	}
	v.Parity = parityOf(st.Report)
	if v.Q != "" {
		v.Searched = true
		hits, err := s.db.Lookup(ctx, sc, id, n, v.Q, 10)
		if err != nil && !errs.Is(errs.Invalid, err) {
			return v, err
		}
		reserves := map[string][]sqlstore.StageListEntry{}
		open := 0
		for _, h := range hits {
			sh := stageHit{LookupHit: h, EventID: newEventID()}
			sh.Open = !h.Reserve && (h.Outcome == crossing.OutcomeOutstanding || h.Outcome == crossing.OutcomeMismatch)
			sh.Replace = !h.Reserve && st.Rule.Reserves && (sh.Open || h.Outcome == crossing.OutcomeRefused || h.Outcome == crossing.OutcomeNotPresented)
			if sh.Replace && v.MayRecord {
				if _, ok := reserves[h.Side]; !ok {
					l, err := s.db.StageList(ctx, sc, id, n, h.Side)
					if err != nil {
						return v, err
					}
					for _, p := range l.Persons {
						if p.Reserve && p.Outcome == crossing.OutcomeReserve {
							reserves[h.Side] = append(reserves[h.Side], p)
						}
					}
					if reserves[h.Side] == nil {
						reserves[h.Side] = []sqlstore.StageListEntry{}
					}
				}
				sh.Reserves = reserves[h.Side]
			}
			if sh.Open {
				open++
			}
			v.Hits = append(v.Hits, sh)
		}
		// One person still to cross: Enter records the handover.
		if open == 1 && len(v.Hits) == 1 && v.MayRecord {
			v.Hits[0].Focus = true
		}
	}
	return v, nil
}

// parityOf orders a stage report's sides and categories for the table.
func parityOf(rep crossing.Report) []paritySide {
	sides := make([]string, 0, len(rep.Sides))
	for p := range rep.Sides {
		sides = append(sides, p)
	}
	slices.Sort(sides)
	var out []paritySide
	for _, p := range sides {
		sr := rep.Sides[p]
		ps := paritySide{Side: p, Total: sr.Total}
		for _, c := range person.Categories {
			if n, ok := sr.ByCategory[c]; ok {
				ps.Rows = append(ps.Rows, parityRow{Category: c, Counts: n})
			}
		}
		out = append(out, ps)
	}
	return out
}

func (s *Server) handleStageRecord(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return errs.E("web.stage", errs.Invalid, "the form could not be read")
	}
	id := r.PathValue("id")
	n, err := stageNumber(r)
	if err != nil {
		return err
	}
	f := r.PostForm
	typ := crossing.EventType(f.Get("type"))
	switch typ {
	case crossing.HandedOver, crossing.Refused, crossing.NotPresented, crossing.SubstitutedBy:
	default:
		return errs.E("web.stage", errs.Invalid, errs.FieldError{Field: "type", Message: "handed_over, refused, not_presented or substituted_by"})
	}
	e := crossing.Event{ID: f.Get("event"), Type: typ, Side: f.Get("side"), RecordID: f.Get("record_id"),
		Receiver: strings.TrimSpace(f.Get("receiver")), Observer: strings.TrimSpace(f.Get("observer")), Reserve: f.Get("reserve")}
	if typ == crossing.HandedOver || typ == crossing.SubstitutedBy {
		e.Check = crossing.IdentityCheck{Method: crossing.CheckMethod(f.Get("method")), VerifiedBy: uiState(r).user.Login}
		e.Health = crossing.Health(f.Get("health"))
		if e.Health == "" {
			e.Health = crossing.HealthGood
		}
	}
	res, err := s.db.RecordEvents(r.Context(), sc, id, n, []crossing.Event{e})
	if err != nil && !errs.Is(errs.Invalid, err) && !errs.Is(errs.Conflict, err) {
		return err
	}
	if err == nil && len(res.Results) == 1 && res.Results[0].Status != "refused" {
		back := url.Values{"receiver": {e.Receiver}, "observer": {e.Observer}, "method": {f.Get("method")}, "done": {string(typ)}, "rec": {e.RecordID}}
		s.redirect(w, r, "/exchanges/"+url.PathEscape(id)+"/stages/"+strconv.Itoa(n)+"?"+back.Encode())
		return nil
	}
	if err == nil {
		err = res.Results[0].Err
	}
	v, perr := s.stagePage(r, sc)
	if perr != nil {
		return perr
	}
	v.Message = v.T("stage.refused") + " " + errs.Message(err)
	for _, fe := range errs.Fields(err) {
		v.Message += " — " + fe.Field + ": " + fe.Message
	}
	s.render(w, r, http.StatusUnprocessableEntity, "stage.html", v)
	return nil
}

func (s *Server) handleStageClose(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return errs.E("web.stage", errs.Invalid, "the form could not be read")
	}
	id := r.PathValue("id")
	n, err := stageNumber(r)
	if err != nil {
		return err
	}
	st, err := s.db.Stage(r.Context(), sc, id, n)
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	var events []crossing.Event
	if st.State == crossing.Open.String() {
		events = append(events, crossing.Event{ID: newEventID(), Type: crossing.StageClosing})
	}
	events = append(events, crossing.Event{ID: newEventID(), Type: crossing.StageClosed, Reason: reason})
	res, err := s.db.RecordEvents(r.Context(), sc, id, n, events)
	if err == nil {
		for _, x := range res.Results {
			if x.Status == "refused" {
				err = x.Err
			}
		}
	}
	if err == nil {
		s.redirect(w, r, "/exchanges/"+url.PathEscape(id)+"/stages/"+strconv.Itoa(n)+"?done=stage_closed")
		return nil
	}
	if !errs.Is(errs.Invalid, err) && !errs.Is(errs.Conflict, err) {
		return err
	}
	v, perr := s.stagePage(r, sc)
	if perr != nil {
		return perr
	}
	v.Message = v.T("stage.notclosed") + " " + errs.Message(err)
	s.render(w, r, http.StatusUnprocessableEntity, "stage.html", v)
	return nil
}
