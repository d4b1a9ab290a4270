package ui

import (
	"context"
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
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/web/httpx"
)

// The crossing: the officer's screen at a stage. One large search box
// (name in any script, service number or record id), the persons found
// with their outcome, the actions of the execution issue in one or two
// clicks, and the stage's parity per side and category, refreshed by htmx
// every three seconds. Keyboard only: the search box has the focus; when
// the search finds one person still to cross, the "handed over" button has
// it, so that Enter records. Every form carries an event id made when the
// page was drawn: sending it twice records the event once.

func (s *UI) registerUICrossingRoutes() {
	s.page("GET", "/crossing", access.ReportRead, "The crossing: open the officer's screen of a stage.", s.handleCrossingPage)
	s.page("GET", "/exchanges/{id}/stages/{n}", access.ReportRead, "The officer's screen of a stage: search, person's card, actions, live parity.", s.handleStagePage)
	s.page("POST", "/exchanges/{id}/stages/{n}/record", access.HandoverRecord, "Record one handover event from the officer's screen.", s.handleStageRecord)
	s.page("POST", "/exchanges/{id}/stages/{n}/close", access.StageManage, "Close the stage (with a discrepancy reason when parity fails).", s.handleStageClose)
	s.page("POST", "/exchanges/{id}/stages/{n}/event", access.HandoverRecord, "Record an unlisted person presented, an identity mismatch, or a party's decision on an amendment.", s.handleStageEvent)
	s.registerUIStagesRoutes()
	s.registerUIKitRoutes()
	s.registerUIRemainsRoutes()
}

type crossingView struct {
	chrome
	Exchange string
	Stage    string
	// Stages are the stages the user may work now (open, closing,
	// suspended), as links: officers may not read exchanges.
	Stages []sqlstore.WorkStage
	// Exchanges are, for the mediator's operator, the exchanges whose
	// stages they manage (open the first one there).
	Exchanges []exchange.Exchange
}

func (s *UI) handleCrossingPage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	q := r.URL.Query()
	ex, n := strings.TrimSpace(q.Get("exchange")), strings.TrimSpace(q.Get("stage"))
	if ex != "" && n != "" {
		if k, err := strconv.Atoi(n); err == nil && k > 0 {
			s.redirect(w, r, "/exchanges/"+url.PathEscape(ex)+"/stages/"+strconv.Itoa(k))
			return nil
		}
	}
	stages, err := s.db.OpenStages(r.Context(), sc)
	if err != nil {
		return err
	}
	v := crossingView{chrome: s.chromeFor(r, "crossing.title"), Exchange: ex, Stage: n, Stages: stages}
	if access.Decide(sc, access.StageManage, access.Resource{}) == nil {
		if v.Exchanges, err = s.db.Exchanges(r.Context(), sc); err != nil {
			return err
		}
	}
	s.render(w, r, http.StatusOK, "crossing.html", v)
	return nil
}

// stageHit is a person found, with what the officer may do: only what the
// officer's own party does with the person (docs/design/crossing.md,
// "Two-sided handover"). Half says which half is the officer's: "release"
// (the officer's party releases the person), "receipt" (it receives them)
// or "observe" (the mediator's observer).
// Interview is the neutral's latest interview of a person, or nil.
func (v stageView) Interview(id string) *exchange.InterviewSeen {
	if iv, ok := v.Interviews[id]; ok {
		return &iv
	}
	return nil
}

type stageHit struct {
	sqlstore.LookupHit
	Half string
	// Open: the officer's half is still to record (release: no release
	// yet; receipt: no receipt, or a mismatch; observe: no observation).
	Open     bool
	Replace  bool // the releasing side may replace the person by a reserve
	Reserves []sqlstore.StageListEntry
	EventID  string
	Focus    bool
	// MismatchID is the event id of the second form of a card (identity
	// mismatch, refusal withdrawn, witnessed refusal): not the primary's.
	MismatchID string
	// DisputeID is the event id of the dispute form.
	DisputeID string
	// Withdraw: a refusal the person may take back before the stage closes.
	Withdraw bool
	// Dispute: the receiving side may dispute the releasing side's account.
	Dispute bool
	// Retract are the officer's party's standing records of the person,
	// each with the event id of its retraction form.
	Retract []retractForm
	// Recv is the side that receives the person.
	Recv string
}

// retractForm is a standing record the officer's party may retract.
type retractForm struct {
	crossing.Act
	EventID string
}

// flagView is a flag of the parity report (an unlisted person, a person
// objected to as out of category, an identity mismatch) with the forms of
// a party's decision on its amendment.
type flagView struct {
	crossing.Flag
	Recv      string // the receiving side, for a disagreement's sentence
	Name      string
	Decide    bool // pending amendment and the user decides for a party
	AcceptID  string
	RejectID  string
	ErrKey    string // the key of the reject reason's error
	Rejecting string // the reason typed, kept on error
}

// unlistedForm is the form for an unlisted person presented.
type unlistedForm struct {
	Side, Category, RecordID, Observer, Reason, EventID string
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
	St       sqlstore.StageView
	Q        string
	Receiver string // account ids ("user:N"), as the settings chose them
	Observer string
	// Receivers are the other parties' officers, Observers the mediator's:
	// what the settings offer (receiver and observer are accounts).
	Receivers []sqlstore.Officer
	Observers []sqlstore.Officer
	Method    string
	Hits      []stageHit
	Searched  bool
	Parity    []paritySide
	MayRecord bool
	// Kit: the user records handovers, so the page keeps the stage kit
	// and the queue on the device (and drops the kit once the stage is
	// closed or cancelled).
	Kit      bool
	MayClose bool
	// MayExchange: the user may read the exchange (officers may not).
	MayExchange bool
	Methods     []string
	Healths     []string
	Base        string
	Settings    string // the officer's settings as a query string
	// Sides are the stage's releasing sides; Categories the categories an
	// unlisted person may be presented as.
	Sides      []string
	Categories []person.Category
	// Interviews are the neutral's latest interview of each person, for
	// the users who read the exchange: a refusal at the crossing is shown
	// against it (GC III Arts. 109(3), 118).
	Interviews map[string]exchange.InterviewSeen
	Flags      []flagView
	Unlisted   unlistedForm
	// Reasons keeps what was typed in the per-person reason fields
	// (mismatch:RECORD, amend:EVENT) when a form is shown again.
	Reasons map[string]string
}

// actLine is one party's standing record of a person as the card shows it.
type actLine struct{ Type, Label, At string }

// Act says a in the user's language, with its time of day (UTC); the
// zero line when there is no such record.
func (v stageView) Act(a crossing.Act) actLine {
	if a.Type == "" {
		return actLine{}
	}
	return actLine{Type: string(a.Type), Label: v.T("act." + string(a.Type)), At: a.At.UTC().Format("15:04")}
}

// Reason returns what was typed in the reason field key.
func (v stageView) Reason(key string) string { return v.Reasons[key] }

// Changed names the identity fields of a person's record changed after
// signing, in the user's language; "fields not disclosed" for a person
// withheld from the user.
func (v stageView) Changed(p sqlstore.StagePerson) string {
	if len(p.Changed) == 0 {
		return v.T("stage.undisclosed")
	}
	return v.changedFields(p.Changed)
}

// AmendmentList is the stage's amendments as "2, 3".
func (v stageView) AmendmentList() string {
	var out []string
	for _, a := range v.St.Amendments {
		out = append(out, strconv.Itoa(a.Version))
	}
	return strings.Join(out, ", ")
}

func newEventID() string {
	var b [12]byte
	rand.Read(b[:])
	return "ui-" + hex.EncodeToString(b[:])
}

func (s *UI) handleStagePage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	v, err := s.stagePage(r, sc)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "stage.html", v)
	return nil
}

func (s *UI) stagePage(r *http.Request, sc access.Scope) (stageView, error) {
	ctx := r.Context()
	id, n, err := httpx.StagePath(r)
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
	v.Kit = access.Decide(sc, access.HandoverRecord, access.Resource{Party: sc.Party}) == nil
	v.MayRecord = accepts && v.Kit
	v.MayClose = accepts && access.Decide(sc, access.StageManage, access.Resource{}) == nil
	v.MayExchange = access.Decide(sc, access.ExchangeRead, access.Resource{Party: sc.Party}) == nil
	if v.MayExchange {
		ivs, err := s.db.Interviews(ctx, sc, id)
		if err != nil {
			return v, err
		}
		v.Interviews = map[string]exchange.InterviewSeen{}
		for _, e := range ivs {
			if e.Latest != nil {
				v.Interviews[e.RecordID] = *e.Latest
			}
		}
	}
	if done := q.Get("done"); done != "" {
		// The person's name from the stage, never from the address.
		who := q.Get("rec")
		if who != "" {
			if hits, err := s.db.Lookup(ctx, sc, id, n, who, 1); err == nil && len(hits) == 1 && hits[0].RecordID == who && hits[0].Name() != "" {
				who = hits[0].Name() + " (" + who + ")"
			}
		}
		v.Flash = v.T("stage.done."+done, who)
	}
	v.Parity = parityOf(st.Report)
	for _, p := range v.Parity {
		v.Sides = append(v.Sides, p.Side)
	}
	v.Categories = person.Categories
	v.Unlisted = unlistedForm{Side: q.Get("side"), Category: q.Get("category"), RecordID: strings.TrimSpace(q.Get("unlisted_record")),
		Observer: v.Observer, Reason: strings.TrimSpace(q.Get("unlisted_reason")), EventID: newEventID()}
	if v.Unlisted.Side == "" && sc.Party != "" {
		v.Unlisted.Side = sc.Party
	}
	if sc.Party != "" {
		v.Sides = []string{sc.Party} // a party presents only its own
	}
	if v.MayRecord {
		officers, err := s.db.StageOfficers(ctx, sc, id, n)
		if err != nil {
			return v, err
		}
		for _, o := range officers {
			switch o.Party {
			case crossing.Mediator:
				v.Observers = append(v.Observers, o)
			case sc.Party:
			default:
				v.Receivers = append(v.Receivers, o)
			}
		}
	}
	mayDecide := v.MayRecord && sc.Party != ""
	for i, f := range st.Report.Flags {
		if i == 50 {
			break // the report keeps every flag; the screen shows the first 50
		}
		fv := flagView{Flag: f, ErrKey: "amend:" + f.Event, Recv: other(v.Parity, f.Side)}
		if f.Kind == crossing.FlagCorrected {
			fv.Reason = v.changedFields(strings.Split(f.Reason, ","))
		}
		fv.Decide = mayDecide && f.Amendment == crossing.AmendPending
		if fv.Decide {
			fv.AcceptID, fv.RejectID = newEventID(), newEventID()
		}
		if f.RecordID != "" && f.Kind != "unlisted" {
			if hits, err := s.db.Lookup(ctx, sc, id, n, f.RecordID, 1); err == nil && len(hits) == 1 && hits[0].RecordID == f.RecordID {
				fv.Name = hits[0].Name()
			}
		}
		v.Flags = append(v.Flags, fv)
	}
	if v.Q != "" {
		v.Searched = true
		hits, err := s.db.Lookup(ctx, sc, id, n, v.Q, 10)
		if err != nil && !errs.Is(errs.Invalid, err) {
			return v, err
		}
		reserves := map[string][]sqlstore.StageListEntry{}
		open := 0
		for _, h := range hits {
			sh := stageHit{LookupHit: h, EventID: newEventID(), MismatchID: newEventID(), DisputeID: newEventID(), Recv: other(v.Parity, h.Side)}
			p := h.Status
			switch {
			case sc.Party == "":
				sh.Half = "observe"
				sh.Open = p.Observation.Type == ""
			case sc.Party == h.Side:
				sh.Half = "release"
				sh.Open = !h.Reserve && p.Release.Type == "" && p.SubstitutedBy == ""
				sh.Replace = !h.Reserve && st.Rule.Reserves && p.SubstitutedBy == "" &&
					(sh.Open || p.Release.Type == crossing.Refused || p.Release.Type == crossing.NotPresented)
				sh.Withdraw = p.Release.Type == crossing.Refused && p.SubstitutedBy == ""
			default:
				sh.Half = "receipt"
				sh.Open = p.Receipt.Type == "" || p.Receipt.Type == crossing.IdentityMismatch
				sh.Dispute = p.Dispute.Type == ""
			}
			for _, a := range []crossing.Act{p.Release, p.Receipt, p.Dispute, p.Observation} {
				standing := a.Type != "" && a.Type != crossing.SubstitutedBy && !(a == p.Release && p.SubstitutedBy != "")
				if standing && a.Party == ownParty(sc) {
					sh.Retract = append(sh.Retract, retractForm{Act: a, EventID: newEventID()})
				}
			}
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

// ownParty is the party an officer records for: its party, or the
// mediator for an officer without one.
func ownParty(sc access.Scope) string {
	if sc.Party == "" {
		return crossing.Mediator
	}
	return sc.Party
}

// other returns the side of the stage other than side: the one that
// receives what side releases.
func other(sides []paritySide, side string) string {
	for _, p := range sides {
		if p.Side != side {
			return p.Side
		}
	}
	return ""
}

// ownHalf is the event an officer's "handed over" records for a person
// side releases: the release for the releasing side's officer, the
// receipt for the receiving side's, the observation for the mediator's
// observer. Forms queued in a browser before the handover was two-sided
// said handed_over; they record the officer's own half.
func ownHalf(sc access.Scope, side string) crossing.EventType {
	switch sc.Party {
	case "":
		return crossing.ObservedHandover
	case side:
		return crossing.Released
	}
	return crossing.Received
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

// recordOnStage records events on stage n of exchange id from a page. What
// the stage refuses — the call's Invalid or Conflict error, or the first
// event answered refused — comes back as refusal, for the page to show; any
// other error is a failure.
func (s *UI) recordOnStage(ctx context.Context, sc access.Scope, id string, n int, events []crossing.Event) (refusal, err error) {
	res, err := s.db.RecordEvents(ctx, sc, id, n, events)
	switch {
	case errs.Is(errs.Invalid, err) || errs.Is(errs.Conflict, err):
		return err, nil
	case err != nil:
		return nil, err
	}
	for _, x := range res.Results {
		if x.Status == "refused" {
			return x.Err, nil
		}
	}
	return nil, nil
}

// stageRefused shows the stage page again (422) with what the stage
// refused, after the sentence key.
func (s *UI) stageRefused(w http.ResponseWriter, r *http.Request, sc access.Scope, key string, refusal error) error {
	v, err := s.stagePage(r, sc)
	if err != nil {
		return err
	}
	text, controls := eventRefusal(v.chrome, refusal)
	v.Message = v.T(key) + " " + text
	v.Fields = controls
	s.render(w, r, http.StatusUnprocessableEntity, "stage.html", v)
	return nil
}

func (s *UI) handleStageRecord(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	if err := readForm(w, r, "web.stage", 64<<10); err != nil {
		return err
	}
	id, n, err := httpx.StagePath(r)
	if err != nil {
		return err
	}
	f := r.PostForm
	typ := crossing.EventType(f.Get("type"))
	if typ == crossing.HandedOver {
		typ = ownHalf(sc, f.Get("side"))
	}
	switch typ {
	case crossing.Released, crossing.Refused, crossing.NotPresented, crossing.SubstitutedBy, crossing.Received, crossing.ObservedHandover, crossing.ObservedRefusal:
	default:
		return errs.E("web.stage", errs.Invalid, errs.FieldError{Field: "type", Message: "released, refused, not_presented, substituted_by, received, observed_handover or observed_refusal", Code: "bad_stage_action"})
	}
	e := crossing.Event{ID: f.Get("event"), Type: typ, Side: f.Get("side"), RecordID: f.Get("record_id"), Reserve: f.Get("reserve")}
	switch typ.RecordedBy() {
	case crossing.ByReleasing:
		// The releasing side names whom it handed the person to and the
		// observer who saw it (accounts, from the officer's settings).
		e.Receiver, e.Observer = strings.TrimSpace(f.Get("receiver")), strings.TrimSpace(f.Get("observer"))
	case crossing.ByReceiving:
		e.Observer = strings.TrimSpace(f.Get("observer"))
		e.Check = crossing.IdentityCheck{Method: crossing.CheckMethod(f.Get("method"))}
		if !e.Check.Method.Valid() {
			e.Check.Method = crossing.CheckDocument
		}
		e.Health = crossing.Health(f.Get("health"))
		if e.Health == "" {
			e.Health = crossing.HealthGood
		}
	}
	refusal, err := s.recordOnStage(r.Context(), sc, id, n, []crossing.Event{e})
	if err != nil {
		return err
	}
	if refusal == nil {
		back := url.Values{"receiver": {f.Get("receiver")}, "observer": {f.Get("observer")}, "method": {f.Get("method")}, "done": {string(typ)}, "rec": {e.RecordID}}
		s.redirect(w, r, "/exchanges/"+url.PathEscape(id)+"/stages/"+strconv.Itoa(n)+"?"+back.Encode())
		return nil
	}
	return s.stageRefused(w, r, sc, "stage.refused", refusal)
}

func (s *UI) handleStageClose(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	if err := readForm(w, r, "web.stage", 64<<10); err != nil {
		return err
	}
	id, n, err := httpx.StagePath(r)
	if err != nil {
		return err
	}
	st, err := s.db.Stage(r.Context(), sc, id, n)
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	refusal, err := s.mayClose(r.Context(), sc, id, n, reason)
	if err == nil && refusal == nil {
		refusal, err = s.recordOnStage(r.Context(), sc, id, n, closeEvents(st.State, reason))
	}
	if err != nil {
		return err
	}
	if refusal == nil {
		s.redirect(w, r, "/exchanges/"+url.PathEscape(id)+"/stages/"+strconv.Itoa(n)+"?done=stage_closed")
		return nil
	}
	return s.stageRefused(w, r, sc, "stage.notclosed", refusal)
}

// handleStageEvent records what the one-click actions do not: an unlisted
// person presented (side, category, the observer who witnesses, and who
// the person says they are), an identity mismatch of a listed person (with
// the reason), and a party's acceptance or rejection (with a reason) of an
// amendment. What an event needs is crossing.Event's rule (and the
// store's): the stage's refusal of a field is shown next to the field of
// the form that was posted, in the user's language; the rest of a refusal
// is shown with its reason. The one check of the form's own is the
// objection: "received with an objection" is a button that says so.
func (s *UI) handleStageEvent(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	if err := readForm(w, r, "web.stage", 64<<10); err != nil {
		return err
	}
	id, n, err := httpx.StagePath(r)
	if err != nil {
		return err
	}
	f := r.PostForm
	c := s.chromeFor(r, "stage.title")
	fields := map[string]string{}
	reasons := map[string]string{}
	// at names the form's field of each field of the event.
	at := map[string]string{}
	settings := false
	typ := crossing.EventType(f.Get("type"))
	e := crossing.Event{ID: f.Get("event"), Type: typ, Reason: strings.TrimSpace(f.Get("reason"))}
	if e.ID == "" {
		e.ID = newEventID()
	}
	switch typ {
	case crossing.UnlistedPresented:
		e.Side, e.Category = f.Get("side"), person.Category(f.Get("category"))
		e.RecordID, e.Observer = strings.TrimSpace(f.Get("unlisted_record")), strings.TrimSpace(f.Get("observer"))
		e.Reason = strings.TrimSpace(f.Get("unlisted_reason"))
		at = map[string]string{"side": "unlisted.side", "category": "unlisted.category", "observer": "unlisted.observer", "reason": "unlisted.reason"}
	case crossing.IdentityMismatch:
		e.Side, e.RecordID = f.Get("side"), f.Get("record_id")
		at["reason"] = "mismatch:" + e.RecordID
		reasons["mismatch:"+e.RecordID] = e.Reason
	case crossing.HandedOver, crossing.Received:
		// Received under the receiving side's objection that the person
		// is outside the agreed category: counts only if both parties
		// accept the amendment. (A form queued before the handover was
		// two-sided said handed_over.)
		e.Type = crossing.Received
		e.Side, e.RecordID, e.Objection = f.Get("side"), f.Get("record_id"), strings.TrimSpace(f.Get("objection"))
		e.Observer = strings.TrimSpace(f.Get("observer"))
		e.Check = crossing.IdentityCheck{Method: crossing.CheckMethod(f.Get("method"))}
		if !e.Check.Method.Valid() {
			e.Check.Method = crossing.CheckDocument
		}
		e.Health = crossing.HealthGood
		key := "objection:" + e.RecordID
		if e.Objection == "" {
			fields[key] = c.T("stage.err.objection")
		}
		at["objection"] = key
		reasons[key] = e.Objection
	case crossing.RefusalWithdrawn:
		e.Side, e.RecordID, e.Observer = f.Get("side"), f.Get("record_id"), strings.TrimSpace(f.Get("observer"))
		// The observer comes from the screen's settings: a missing one
		// is said at the button with where to choose it.
		at["observer"], settings = "withdraw:"+e.RecordID, true
	case crossing.Disputed:
		e.Side, e.RecordID = f.Get("side"), f.Get("record_id")
		at["reason"] = "dispute:" + e.RecordID
		reasons["dispute:"+e.RecordID] = e.Reason
	case crossing.Retracted:
		// The event names only its subject; the person's record id comes
		// with the form for the page's feedback.
		e.Subject = f.Get("subject")
		if e.Subject == "" {
			return errs.E("web.stage", errs.Invalid, errs.FieldError{Field: "subject", Message: "the event to retract"})
		}
		at["reason"] = "retract:" + e.Subject
		reasons["retract:"+e.Subject] = e.Reason
	case crossing.AmendmentAccepted, crossing.AmendmentRejected:
		e.Subject = f.Get("subject")
		if e.Subject == "" {
			return errs.E("web.stage", errs.Invalid, errs.FieldError{Field: "subject", Message: "the event the amendment is about"})
		}
		at["reason"] = "amend:" + e.Subject
		reasons["amend:"+e.Subject] = e.Reason
	default:
		return errs.E("web.stage", errs.Invalid, errs.FieldError{Field: "type", Message: "unlisted_person_presented, identity_mismatch, received with an objection, refusal_withdrawn, disputed, retracted, amendment_accepted or amendment_rejected", Code: "bad_stage_action"})
	}
	var refusal error
	if len(fields) == 0 {
		if refusal, err = s.recordOnStage(r.Context(), sc, id, n, []crossing.Event{e}); err != nil {
			return err
		}
		if refusal == nil {
			rec := e.RecordID
			switch typ {
			case crossing.UnlistedPresented:
				rec = e.ID
			case crossing.AmendmentAccepted, crossing.AmendmentRejected:
				rec = e.Subject
			case crossing.Retracted:
				rec = f.Get("record_id")
			}
			back := url.Values{"receiver": {f.Get("receiver")}, "observer": {f.Get("observer")}, "method": {f.Get("method")}, "done": {string(typ)}, "rec": {rec}}
			s.redirect(w, r, "/exchanges/"+url.PathEscape(id)+"/stages/"+strconv.Itoa(n)+"?"+back.Encode())
			return nil
		}
	}
	v, err := s.stagePage(r, sc)
	if err != nil {
		return err
	}
	v.Fields, v.Reasons = fields, reasons
	// The stage's refusal of a field of the form, at that field.
	var elsewhere bool
	for _, fe := range errs.Fields(refusal) {
		k, ok := at[fe.Field]
		if !ok {
			elsewhere = true
			continue
		}
		if v.Fields[k] == "" {
			v.Fields[k] = eventFieldMessage(v.chrome, fe)
			if settings && fe.Field == "observer" && (fe.Code == "required_for" || fe.Code == "required") {
				v.Fields[k] = v.T("stage.err.settings")
			}
		}
	}
	if refusal != nil && (elsewhere || len(errs.Fields(refusal)) == 0) {
		text, controls := eventRefusal(v.chrome, refusal)
		v.Message = v.T("stage.refused") + " " + text
		for k, m := range controls {
			if v.Fields == nil {
				v.Fields = map[string]string{}
			}
			if f, ok := eventFields[k]; !ok || at[k] == "" || f.control != k {
				v.Fields[k] = m
			}
		}
	} else {
		v.Message = v.T("form.invalid")
		if v.Q == "" {
			// No card shows the person's fields: say it here.
			for k, m := range v.Fields {
				if strings.HasPrefix(k, "mismatch:") || strings.HasPrefix(k, "objection:") || strings.HasPrefix(k, "withdraw:") ||
					strings.HasPrefix(k, "dispute:") || strings.HasPrefix(k, "retract:") {
					v.Message = m
				}
			}
		}
	}
	s.render(w, r, http.StatusUnprocessableEntity, "stage.html", v)
	return nil
}
