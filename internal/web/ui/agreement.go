package ui

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/web/ui/form"
)

// The agreement page: the document as text, its state, who has signed with
// which key (and the keys' fingerprints), and the form an approver or the
// mediator's operator hands in a signature line made offline with
// `handover sign`.

func (s *UI) registerUIAgreementRoutes() {
	s.page("GET", "/exchanges/{id}/agreement", access.ExchangeRead, "An agreement version: text, state, signatures, signer keys with fingerprints.", s.handleAgreementPage)
	s.page("POST", "/exchanges/{id}/agreement/sign", access.AgreementSign, "Hand in a signature line made offline or in the browser with a registered key.", s.handleSignForm)
	s.page("GET", "/exchanges/{id}/agreement/pdf", access.ExchangeRead, "The agreement's persons printed (PDF, ?lang=uk|ru|en), the document hash on every page.", s.handleAgreementPDFPage)
	s.registerUIFreezeRoutes()
}

type agreementView struct {
	chrome
	Exchange string
	St       sqlstore.AgreementStatus
	Versions []int
	Keys     []signerKey
	MaySign  bool
	Line     string
	// People are the document's persons as people, checked against it;
	// Sign the text the page signs and the keys it may sign with.
	People agreementPeople
	Sign   agreementSign
	// Interviews are the neutral's latest interview of each person, as
	// the viewer may see it (GC III Art. 118).
	Interviews map[string]exchange.InterviewSeen
}

// Interview is the neutral's latest interview of a person, or nil.
func (v agreementView) Interview(id string) *exchange.InterviewSeen {
	if iv, ok := v.Interviews[id]; ok {
		return &iv
	}
	return nil
}

// signerKey is a registered signer key and whether it signed this version.
type signerKey struct {
	sqlstore.LogKey
	Role   string
	Signed bool
}

func (s *UI) handleAgreementPage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	version, _ := strconv.Atoi(r.URL.Query().Get("version"))
	v, err := s.agreementPage(r, sc, version)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "agreement.html", v)
	return nil
}

func (s *UI) agreementPage(r *http.Request, sc access.Scope, version int) (agreementView, error) {
	ctx := r.Context()
	id := r.PathValue("id")
	st, err := s.db.Agreement(ctx, sc, id, version)
	if err != nil {
		return agreementView{}, err
	}
	v := agreementView{chrome: s.chromeFor(r, "agreement.title"), Exchange: id, St: st, Interviews: map[string]exchange.InterviewSeen{}}
	ivs, err := s.db.Interviews(ctx, sc, id)
	if err != nil {
		return v, err
	}
	for _, e := range ivs {
		if e.Latest != nil {
			v.Interviews[e.RecordID] = *e.Latest
		}
	}
	for i := st.Latest; i >= 1; i-- {
		v.Versions = append(v.Versions, i)
	}
	keys, err := s.db.LogKeys(ctx)
	if err != nil {
		return v, err
	}
	for _, k := range keys {
		if k.Purpose != sqlstore.KeySigner {
			continue
		}
		sk := signerKey{LogKey: k, Role: k.Party}
		if sk.Role == "" {
			sk.Role = exchange.Mediator
		}
		for _, sig := range st.Signed {
			if sig.KeyName == k.Name {
				sk.Signed = true
			}
		}
		v.Keys = append(v.Keys, sk)
	}
	role := sc.Party
	if role == "" {
		role = exchange.Mediator
	}
	v.MaySign = st.State == exchange.AgreementOpen.String() && access.Decide(sc, access.AgreementSign, access.Resource{Party: role}) == nil
	rend, err := s.db.AgreementPersons(ctx, sc, id, st.Version)
	if err != nil {
		return v, err
	}
	v.People = agreementPeopleOf(v.chrome, &rend, renderingQuery(r))
	v.Sign = agreementSignOf(st.Document, keys, role)
	return v, nil
}

func (s *UI) handleSignForm(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	id := r.PathValue("id")
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	line := strings.TrimSpace(r.PostFormValue("line"))
	if f, _, err := r.FormFile("file"); err == nil && line == "" {
		b, _ := io.ReadAll(io.LimitReader(f, 16<<10))
		f.Close()
		line = strings.TrimSpace(string(b))
	}
	_, err := s.db.SignAgreement(r.Context(), sc, id, version, line)
	if err == nil {
		s.redirect(w, r, "/exchanges/"+url.PathEscape(id)+"/agreement")
		return nil
	}
	// A line by a wrong or unregistered key is Forbidden with the line as
	// its field: the form says so; any other Forbidden is the error page.
	if !errs.Is(errs.Invalid, err) && !errs.Is(errs.Conflict, err) && (!errs.Is(errs.Forbidden, err) || len(errs.Fields(err)) == 0) {
		return err
	}
	v, perr := s.agreementPage(r, sc, version)
	if perr != nil {
		return perr
	}
	v.Line = line
	v.Fields = map[string]string{"line": refusalText(v.chrome, err)}
	s.render(w, r, http.StatusUnprocessableEntity, "agreement.html", v)
	return nil
}

// ---- freezing the agreement -----------------------------------------------

// The mediator's operator freezes the agreed lists (each side's offers the
// other side accepted) with a stage plan. The form asks only what a person
// decides: each stage's window, crossing point and how many of each
// category each side releases in it. The persons are placed by the
// server: in list order, those who prefer the stage first; every agreed
// person left over is on the side's reserve list.

// stageForm is one stage as typed.
type stageForm struct {
	N                    int
	Start, End, Crossing string
	// Counts by "PARTY_category", as typed.
	Counts map[string]string
}

// Count returns what was typed for party and category in this stage.
func (f stageForm) Count(party string, c person.Category) string {
	return f.Counts[party+"_"+string(c)]
}

type freezeView struct {
	chrome
	Ex     exchange.Exchange
	View   exchange.View
	Cats   []person.Category
	Agreed map[string]exchange.Counts // by party
	Stages []stageForm
	// Reserve is how many agreed persons of each party no stage takes.
	Reserve map[string]int
	// Latest is the agreement's latest version (0: none yet).
	Latest int
	// Names name the persons of the blockers.
	Names map[string]string
}

// Named is the name of a listed person the view names, or "".
func (v freezeView) Named(id string) string { return v.Names[id] }

// Field names the input of stage n for party and category.
func (v freezeView) Field(n int, party string, c person.Category) string {
	return fmt.Sprintf("s%d_%s_%s", n, party, c)
}

// maxStages bounds the stages the form takes.
const maxStages = 20

func (s *UI) registerUIFreezeRoutes() {
	s.page("GET", "/exchanges/{id}/freeze", access.ExchangeOpen, "The stage plan form that freezes the agreed lists into an agreement.", s.handleFreezePage)
	s.page("POST", "/exchanges/{id}/freeze", access.ExchangeOpen, "Freeze the agreed lists with a stage plan into the next agreement version.", s.handleFreezeForm)
}

// freezeBase loads what the form is computed from: the exchange, its view,
// and each side's agreed counts per category, which the view has (the
// agreed persons themselves are agreedItems).
func (s *UI) freezeBase(r *http.Request, sc access.Scope) (freezeView, error) {
	ctx := r.Context()
	id := r.PathValue("id")
	ex, err := s.db.Exchange(ctx, sc, id)
	if err != nil {
		return freezeView{}, err
	}
	v := freezeView{chrome: s.chromeFor(r, "freeze.title"), Ex: ex, Agreed: map[string]exchange.Counts{}, Reserve: map[string]int{}}
	ev, err := s.db.ExchangeView(ctx, sc, id)
	if err != nil {
		return v, err
	}
	v.View = *ev
	if v.Names, err = s.db.ListedNames(ctx, sc, id, blockingIDs(ev)); err != nil {
		return v, err
	}
	if st, err := s.db.Agreement(ctx, sc, id, 0); err == nil {
		v.Latest = st.Latest
	}
	cats := map[person.Category]bool{}
	for _, r := range ex.Terms.AllRules() {
		cats[r.Category] = true
	}
	for _, p := range ex.Parties {
		v.Agreed[p] = exchange.Counts{}
	}
	for _, side := range ev.Sides {
		for _, c := range side.Categories {
			if c.Accepted > 0 {
				v.Agreed[side.Party][c.Category] = c.Accepted
				cats[c.Category] = true
			}
		}
	}
	for _, c := range person.Categories {
		if cats[c] {
			v.Cats = append(v.Cats, c)
		}
	}
	return v, nil
}

// agreedItems returns each side's offers the other side accepted, in list
// order: the persons a freeze places. Reading them decodes every listed
// person's record, so only a posted plan asks for them.
func (s *UI) agreedItems(ctx context.Context, sc access.Scope, ex exchange.Exchange) (map[string][]exchange.Item, error) {
	agreed := map[string][]exchange.Item{}
	for _, p := range ex.Parties {
		lv, err := s.db.List(ctx, sc, ex.ID, p, exchange.Offer, 0)
		if errs.Is(errs.NotFound, err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, it := range lv.Items {
			if it.Answer != nil && it.Answer.Answer == exchange.Accept {
				agreed[p] = append(agreed[p], it.Item)
			}
		}
	}
	return agreed, nil
}

func (s *UI) handleFreezePage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	v, err := s.freezeBase(r, sc)
	if err != nil {
		return err
	}
	// One stage that takes what the terms ask of each category (or all
	// agreed); the rest on the reserve.
	st := stageForm{N: 1, Counts: map[string]string{}}
	if len(v.Ex.Crossings) > 0 {
		st.Crossing = v.Ex.Crossings[0]
	}
	if !v.Ex.From.IsZero() {
		st.Start = v.Ex.From.Add(8 * time.Hour).Format("2006-01-02T15:04")
		st.End = v.Ex.From.Add(20 * time.Hour).Format("2006-01-02T15:04")
	}
	want := termsCounts(&v.Ex.Terms, v.Cats)
	for _, p := range v.Ex.Parties {
		for _, c := range v.Cats {
			n := v.Agreed[p][c]
			if w, ok := want[c]; ok {
				n = min(n, w)
			}
			st.Counts[p+"_"+string(c)] = strconv.Itoa(n)
			v.Reserve[p] += v.Agreed[p][c] - n
		}
	}
	v.Stages = []stageForm{st}
	s.render(w, r, http.StatusOK, "freeze.html", v)
	return nil
}

// termsCounts is what numeric terms ask of each category per side: its
// count, or for the one category without a count the rest of the total.
func termsCounts(t *exchange.Terms, cats []person.Category) map[person.Category]int {
	out := map[person.Category]int{}
	for _, p := range t.PartList() {
		if p.Kind != exchange.Numeric {
			continue
		}
		fixed, open := 0, []person.Category{}
		for _, r := range p.Rules {
			if r.Count > 0 {
				out[r.Category] += r.Count
				fixed += r.Count
			} else {
				open = append(open, r.Category)
			}
		}
		if len(open) == 1 && p.Total > fixed {
			out[open[0]] = p.Total - fixed
		}
	}
	return out
}

func (s *UI) handleFreezeForm(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	if err := readForm(w, r, "web.freeze", 64<<10); err != nil {
		return err
	}
	v, err := s.freezeBase(r, sc)
	if err != nil {
		return err
	}
	agreed, err := s.agreedItems(r.Context(), sc, v.Ex)
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(r.PostFormValue("stages"))
	n = min(max(n, 1), maxStages)
	op := r.PostFormValue("op")
	switch {
	case op == "addstage" && n < maxStages:
		n++
	case op == "dropstage" && n > 1:
		n--
	}
	for i := 1; i <= n; i++ {
		st := stageForm{N: i, Counts: map[string]string{}}
		pre := fmt.Sprintf("s%d_", i)
		st.Start, st.End, st.Crossing = strings.TrimSpace(r.PostFormValue(pre+"start")), strings.TrimSpace(r.PostFormValue(pre+"end")), r.PostFormValue(pre+"crossing")
		for _, p := range v.Ex.Parties {
			for _, c := range v.Cats {
				st.Counts[p+"_"+string(c)] = strings.TrimSpace(r.PostFormValue(v.Field(i, p, c)))
			}
		}
		v.Stages = append(v.Stages, st)
	}
	plan, bad := v.plan(agreed)
	if len(bad) == 0 {
		// What the plan breaks of the terms (N for N, the totals, the
		// windows), in the exchange's own words.
		if err := plan.Validate(&v.Ex, agreed); err != nil {
			for _, fe := range errs.Fields(err) {
				k := v.planField(fe.Field)
				bad[k] = joinMsg(bad[k], fieldMessage(v.chrome, fe))
			}
		}
	}
	if op == "addstage" || op == "dropstage" {
		s.render(w, r, http.StatusOK, "freeze.html", v)
		return nil
	}
	v.Fields = bad
	if !v.View.Ready {
		v.Message = v.T("freeze.notready", len(v.View.Blocking), len(v.View.Shortfalls))
		s.render(w, r, http.StatusConflict, "freeze.html", v)
		return nil
	}
	if len(bad) > 0 {
		v.Message = v.T("form.invalid")
		s.render(w, r, http.StatusUnprocessableEntity, "freeze.html", v)
		return nil
	}
	_, err = s.db.FreezeAgreement(r.Context(), sc, s.cfg.Signer, v.Ex.ID, plan)
	if err == nil {
		s.redirect(w, r, "/exchanges/"+url.PathEscape(v.Ex.ID)+"/agreement")
		return nil
	}
	if !errs.Is(errs.Invalid, err) && !errs.Is(errs.Conflict, err) {
		return err
	}
	// What the checks above did not foresee, as the store words it.
	v.Message = refusalText(v.chrome, err)
	status := http.StatusUnprocessableEntity
	if errs.Is(errs.Conflict, err) {
		status = http.StatusConflict
	}
	s.render(w, r, status, "freeze.html", v)
	return nil
}

// plan turns the stages as typed into a stage plan: each stage takes, per
// side and category, the persons who prefer it first, then the others in
// list order; what no stage takes is the side's reserve. It returns what
// it cannot read, by field, in the user's language: a time that is no
// time, a count that is no number, more persons than are agreed. The
// rules a plan must keep are exchange.StagePlan.Validate's.
func (v *freezeView) plan(agreed map[string][]exchange.Item) (exchange.StagePlan, map[string]string) {
	bad := map[string]string{}
	var plan exchange.StagePlan
	taken := map[string]bool{}
	for _, sf := range v.Stages {
		pre := fmt.Sprintf("s%d_", sf.N)
		st := exchange.Stage{Number: sf.N, Crossing: sf.Crossing}
		for _, t := range []struct {
			field, s string
			at       *time.Time
		}{{pre + "start", sf.Start, &st.Start}, {pre + "end", sf.End, &st.End}} {
			at, fe := form.Minute(t.field, t.s)
			if fe != nil {
				bad[t.field] = fieldMessage(v.chrome, *fe)
			}
			*t.at = at
		}
		for _, p := range v.Ex.Parties {
			side := exchange.StageSide{Party: p, Planned: exchange.Counts{}}
			for _, c := range v.Cats {
				f := v.Field(sf.N, p, c)
				want, fe := form.Count(f, sf.Count(p, c))
				if fe == nil && want < 0 {
					fe = form.NotCount(f, sf.Count(p, c))
				}
				if fe != nil {
					bad[f] = fieldMessage(v.chrome, *fe)
					continue
				}
				got := pick(agreed[p], c, sf.N, want, taken)
				if len(got) < want {
					bad[f] = v.T("freeze.err.toomany", want, len(got))
				}
				side.Persons = append(side.Persons, got...)
				if len(got) > 0 {
					side.Planned[c] = len(got)
				}
			}
			st.Sides = append(st.Sides, side)
		}
		plan.Stages = append(plan.Stages, st)
	}
	for _, p := range v.Ex.Parties {
		rl := exchange.ReserveList{Party: p}
		for _, it := range agreed[p] {
			if !taken[it.RecordID] {
				rl.Persons = append(rl.Persons, it.RecordID)
			}
		}
		v.Reserve[p] = len(rl.Persons)
		if len(rl.Persons) > 0 {
			plan.Reserve = append(plan.Reserve, rl)
		}
	}
	return plan, bad
}

// planField names the form field a field error of the stage plan is
// about: "stages[0].end" is s1_end; a stage's N for N goes to its last
// count field; the rest to the plan as a whole ("stages").
func (v *freezeView) planField(field string) string {
	rest, ok := strings.CutPrefix(field, "stages[")
	if !ok {
		return "stages"
	}
	i, err := strconv.Atoi(rest[:strings.IndexByte(rest+"]", ']')])
	if err != nil || i < 0 || i >= len(v.Stages) {
		return "stages"
	}
	pre := fmt.Sprintf("s%d_", i+1)
	switch {
	case strings.HasSuffix(field, ".start"):
		return pre + "start"
	case strings.HasSuffix(field, ".end"):
		return pre + "end"
	case strings.HasSuffix(field, ".crossing"):
		return pre + "crossing"
	case strings.HasSuffix(field, "]") && len(v.Cats) > 0:
		return v.Field(i+1, v.Ex.Parties[1], v.Cats[len(v.Cats)-1])
	}
	return "stages"
}

// pick takes up to n of items of category c not yet taken: first those
// who prefer stage, then those without a preference, then the others, each
// in list order.
func pick(items []exchange.Item, c person.Category, stage, n int, taken map[string]bool) []string {
	var out []string
	for _, pass := range []func(int) bool{
		func(s int) bool { return s == stage },
		func(s int) bool { return s == 0 },
		func(s int) bool { return s != stage && s != 0 },
	} {
		for _, it := range items {
			if len(out) == n {
				return out
			}
			if it.Category == c && !taken[it.RecordID] && pass(it.Stage) {
				taken[it.RecordID] = true
				out = append(out, it.RecordID)
			}
		}
	}
	return out
}
