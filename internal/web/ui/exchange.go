package ui

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/web/httpx"
	"github.com/handover-project/handover/internal/web/ui/form"
)

// The negotiation pages: the exchanges a user may see, and one exchange
// with its terms, the view against the terms, each side's lists with their
// versions and differences, the current answer per person, and the form a
// party user answers the other side's list with.

func (s *UI) registerUIExchangeRoutes() {
	s.page("GET", "/exchanges", access.ExchangeRead, "The exchanges the user may see.", s.handleExchangesPage)
	s.page("GET", "/exchanges/{id}", access.ExchangeRead, "One exchange: terms, counts against them, lists with versions and differences, answers.", s.handleExchangePage)
	s.page("POST", "/exchanges/{id}/answer", access.ListRespond, "Answer one person of the other party's current list.", s.handleAnswerForm)
	s.page("GET", "/exchanges/new", access.ExchangeOpen, "The form to open an exchange between two parties with its terms.", s.handleExchangeNewPage)
	s.page("POST", "/exchanges/new", access.ExchangeOpen, "Open an exchange between two parties with its terms.", s.handleExchangeNewForm)
	s.page("GET", "/exchanges/{id}/lists/{kind}", access.ListSubmit, "Build the next version of one's own party's offer or request list.", s.handleDraftPage)
	s.page("POST", "/exchanges/{id}/lists/{kind}", access.ListSubmit, "Change the draft of the next list version, preview its differences, or submit it.", s.handleDraftForm)
}

type exchangesView struct {
	chrome
	Exchanges []exchange.Exchange
	MayOpen   bool
}

func (s *UI) handleExchangesPage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	exs, err := s.db.Exchanges(r.Context(), sc)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "exchanges.html", exchangesView{chrome: s.chromeFor(r, "exchanges.title"), Exchanges: exs,
		MayOpen: access.Decide(sc, access.ExchangeOpen, access.Resource{}) == nil})
	return nil
}

// listPanel is one party's list of one kind at the version shown.
type listPanel struct {
	sqlstore.ListView
	Party     string
	ListKind  string
	Anchor    string
	Versions  []int
	None      bool
	MayAnswer bool
	// The items shown are one page of the version's (listPageSize).
	Page, Pages, Total int
	// Search and Sort are the list's search and order as asked
	// (?list=UA/offer&q=…&sort=name|latin|birth|number|record); Counts
	// the version's persons per category, in words.
	Search, Sort string
	Counts       string
}

// listPageSize is how many persons of a list one page shows.
const listPageSize = 100

type exchangeView struct {
	chrome
	Ex        exchange.Exchange
	View      exchange.View
	Lists     []listPanel
	Answers   []exchange.Answer
	Charts    []chart
	Agreement bool
	Stages    []sqlstore.StageView
	// MaySubmit: a party user of the exchange may submit its lists;
	// MayFreeze: the mediator's operator may freeze the agreement.
	MaySubmit, MayFreeze bool
	// Names name the persons of the blockers and the lists' changes.
	Names map[string]string
	// Interviews are the neutral's latest interview of each listed held
	// person, as the viewer may see it (GC III Art. 118).
	Interviews map[string]exchange.InterviewSeen
}

// Interview is the latest interview of a listed person, or nil.
func (v exchangeView) Interview(id string) *exchange.InterviewSeen {
	if iv, ok := v.Interviews[id]; ok {
		return &iv
	}
	return nil
}

// Named is the name of a listed person the view names, or "".
func (v exchangeView) Named(id string) string { return v.Names[id] }

// SortLabels are the message keys of the orders a list is shown in.
func (exchangeView) SortLabels() map[string]string {
	return map[string]string{"": "agreement.sort.list", "name": "field.name", "latin": "agreement.latin", "birth": "field.birth_date",
		"number": "field.service_number", "record": "list.record"}
}

func (s *UI) handleExchangePage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	v, err := s.exchangePage(r, sc)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "exchange.html", v)
	return nil
}

func (s *UI) exchangePage(r *http.Request, sc access.Scope) (exchangeView, error) {
	ctx := r.Context()
	id := r.PathValue("id")
	ex, err := s.db.Exchange(ctx, sc, id)
	if err != nil {
		return exchangeView{}, err
	}
	v := exchangeView{chrome: s.chromeFor(r, "exchange.title"), Ex: ex, Answers: exchange.Answers}
	v.Title = ex.Name
	ev, err := s.db.ExchangeView(ctx, sc, id)
	if err != nil {
		return v, err
	}
	v.View = *ev
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
	// ?list=UA/offer&version=2&page=3 shows an earlier version, or
	// another page, of one list.
	shown, _ := strconv.Atoi(r.URL.Query().Get("version"))
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	for _, p := range ex.Parties {
		for _, k := range []exchange.ListKind{exchange.Offer, exchange.Request} {
			lp := listPanel{Party: p, ListKind: string(k), Anchor: "list-" + p + "-" + string(k)}
			version, pg := 0, 1
			if r.URL.Query().Get("list") == p+"/"+string(k) {
				version, pg = shown, max(page, 1)
			}
			lv, err := s.db.List(ctx, sc, id, p, k, version)
			switch {
			case errs.Is(errs.NotFound, err) && version != 0:
				lv, err = s.db.List(ctx, sc, id, p, k, 0)
			}
			if errs.Is(errs.NotFound, err) {
				lp.None = true
				v.Lists = append(v.Lists, lp)
				continue
			}
			if err != nil {
				return v, err
			}
			counts := exchange.Counts{}
			for _, it := range lv.Items {
				counts[it.Category]++
			}
			lp.Counts = httpx.CountsText(v.lang(), counts)
			if r.URL.Query().Get("list") == p+"/"+string(k) {
				lp.Search, lp.Sort = strings.TrimSpace(r.URL.Query().Get("q")), r.URL.Query().Get("sort")
				lv.Items = listItemsQuery(lv.Party, lv.Items, lp.Search, lp.Sort)
			}
			lp.Total = len(lv.Items)
			lp.Pages = max(1, (lp.Total+listPageSize-1)/listPageSize)
			lp.Page = min(pg, lp.Pages)
			lv.Items = lv.Items[(lp.Page-1)*listPageSize : min(lp.Page*listPageSize, lp.Total)]
			lp.ListView = lv
			for i := lv.Latest; i >= 1; i-- {
				lp.Versions = append(lp.Versions, i)
			}
			lp.MayAnswer = sc.Party != "" && sc.Party != p && lv.Version == lv.Latest &&
				access.Decide(sc, access.ListRespond, access.Resource{Party: sc.Party}) == nil
			v.Lists = append(v.Lists, lp)
		}
	}
	if _, err := s.db.Agreement(ctx, sc, id, 0); err == nil {
		v.Agreement = true
	}
	if access.Decide(sc, access.ReportRead, access.Resource{}) == nil && v.Agreement {
		if st, err := s.db.ExchangeStages(ctx, sc, id); err == nil {
			v.Stages = st
		}
	}
	ids := blockingIDs(&v.View)
	for _, lp := range v.Lists {
		for _, ch := range [][]exchange.Change{lp.Diff.Added, lp.Diff.Removed, lp.Diff.Changed} {
			for _, c := range ch {
				ids = append(ids, c.RecordID)
			}
		}
	}
	if v.Names, err = s.db.ListedNames(ctx, sc, id, ids); err != nil {
		return v, err
	}
	v.Charts = exchangeCharts(v.chrome, &v.View, v.Stages)
	v.MaySubmit = ex.HasParty(sc.Party) && access.Decide(sc, access.ListSubmit, access.Resource{Party: sc.Party}) == nil
	v.MayFreeze = access.Decide(sc, access.ExchangeOpen, access.Resource{}) == nil
	return v, nil
}

func (s *UI) handleAnswerForm(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	id := r.PathValue("id")
	party, kind := r.PostFormValue("party"), exchange.ListKind(r.PostFormValue("kind"))
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	a := exchange.Response{RecordID: r.PostFormValue("record_id"), Answer: exchange.Answer(r.PostFormValue("answer")),
		Reason: strings.TrimSpace(r.PostFormValue("reason")), Rule: r.PostFormValue("rule"), At: time.Now().UTC()}
	_, err := s.db.Respond(r.Context(), sc, id, party, kind, version, []exchange.Response{a})
	if err == nil {
		s.redirect(w, r, "/exchanges/"+url.PathEscape(id)+"#list-"+url.PathEscape(party)+"-"+url.PathEscape(string(kind)))
		return nil
	}
	if !errs.Is(errs.Invalid, err) && !errs.Is(errs.Conflict, err) {
		return err
	}
	v, perr := s.exchangePage(r, sc)
	if perr != nil {
		return perr
	}
	v.Message = refusalText(v.chrome, err)
	s.render(w, r, http.StatusUnprocessableEntity, "exchange.html", v)
	return nil
}

// ---- opening an exchange --------------------------------------------------

// ruleCategories are the categories a rule of the terms may name, in the
// order the form shows them (remains follow their own flow).
var ruleCategories = []person.Category{person.Military, person.Civilian, person.SeriouslyWoundedSick}

type exchangeNewView struct {
	chrome
	F       form.Exchange
	Parties []sqlstore.Party
}

func (s *UI) handleExchangeNewPage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	v := exchangeNewView{chrome: s.chromeFor(r, "exnew.title"), F: form.Exchange{Kind: string(exchange.Numeric)}}
	for _, c := range ruleCategories {
		v.F.Rules = append(v.F.Rules, form.Rule{Category: string(c), On: c == person.Military, ID: form.RuleID(c)})
	}
	ps, err := s.db.Parties(r.Context())
	if err != nil {
		return err
	}
	v.Parties = ps
	if len(ps) >= 2 {
		v.F.PartyA, v.F.PartyB = ps[0].Code, ps[1].Code
	}
	s.render(w, r, http.StatusOK, "exchange_new.html", v)
	return nil
}

func (s *UI) handleExchangeNewForm(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	if err := readForm(w, r, "web.exchangenew", 64<<10); err != nil {
		return err
	}
	v := exchangeNewView{chrome: s.chromeFor(r, "exnew.title")}
	ps, err := s.db.Parties(r.Context())
	if err != nil {
		return err
	}
	v.Parties = ps
	f := &v.F
	get := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f.Name, f.PartyA, f.PartyB, f.Crossings = get("name"), get("party_a"), get("party_b"), r.PostFormValue("crossings")
	f.From, f.To, f.Kind, f.Total, f.Floor, f.Ceiling, f.Reference = get("from"), get("to"), get("kind"), get("total"), get("floor"), get("ceiling"), get("reference")
	f.Conditions = r.PostFormValue("conditions")
	for _, c := range ruleCategories {
		k := string(c)
		f.Rules = append(f.Rules, form.Rule{Category: k, On: get("rule_"+k) != "", ID: get("id_" + k), Count: get("count_" + k),
			Min: get("min_" + k), Max: get("max_" + k), CapturedBy: get("captured_" + k), AllForAll: get("all_"+k) != "", Consent: get("consent_"+k) != ""})
	}
	// The form reads what was typed; the exchange's own checks, in the
	// store, say what breaks a rule.
	ex, bad := f.Parse()
	fields := map[string]string{}
	for _, fe := range bad {
		fields[fe.Field] = joinMsg(fields[fe.Field], fieldMessage(v.chrome, fe))
	}
	if len(fields) == 0 {
		out, err := s.db.OpenExchange(r.Context(), sc, ex)
		if err == nil {
			s.redirect(w, r, "/exchanges/"+url.PathEscape(out.ID))
			return nil
		}
		if !errs.Is(errs.Invalid, err) {
			return err
		}
		for _, fe := range errs.Fields(err) {
			k := form.ExchangeField(fe.Field, ex.Terms.Rules)
			fields[k] = joinMsg(fields[k], fieldMessage(v.chrome, fe))
		}
		if len(fields) == 0 {
			v.Message = refusalText(v.chrome, err)
		}
	}
	v.Fields = fields
	if v.Message == "" {
		v.Message = v.T("form.invalid")
	}
	s.render(w, r, http.StatusUnprocessableEntity, "exchange_new.html", v)
	return nil
}

func joinMsg(a, b string) string {
	if a == "" {
		return b
	}
	return a + " " + b
}

// formInput is one text input of a form with its label, value and error,
// for the "input" template of exchange_new.html.
type formInput struct {
	N, L, V, E, T string
}

// In describes the input name with its label, value and type ("" for
// text), and the error the form has for it.
func (v exchangeNewView) In(name, label, value, typ string) formInput {
	return formInput{N: name, L: label, V: value, E: v.Fields[name], T: typ}
}

// ---- submitting a list version --------------------------------------------

// The next version of a party's list is built on one page whose state is
// the form itself: the persons to add (record ids or service numbers, one
// a line), the persons to strike (a record id a line, then the reason), a
// reason for the version. Every button posts the whole form back — strike
// this person, add that search hit, show another page of the draft, show
// the differences, submit — so the page works without JavaScript, keeps
// what was typed, and never holds more than a textarea of ids however long
// the list is; the draft is shown a page at a time.

// draftRow is one person on the draft, in the differences or among the
// search hits.
type draftRow struct {
	RecordID      string
	Name          string
	BirthDate     person.Date
	Category      person.Category
	ServiceNumber string
	New           bool   // added by this draft
	Reason        string // why it is struck
	Listed        bool   // a search hit already on the draft
}

type draftView struct {
	chrome
	Ex      exchange.Exchange
	Kind    string
	Current int // the current version (0: none yet)
	// The form as typed.
	Add, Remove, RemoveReason, Reason, Q string
	// One page of the draft (the next version).
	Rows               []draftRow
	Page, Pages, Total int
	// The differences from the current version.
	Added, Removed []draftRow
	AddedMore      int
	Hits           []draftRow
	Searched       bool
	// Problems of the add and strike lines, each naming its line.
	AddErrors, RemoveErrors []string
	// MayCarry offers to carry the unresolved of earlier rounds (a
	// request list).
	MayCarry bool
}

const draftPageSize = 100

// draftListed is how many added persons the differences show by name.
const draftListed = 200

func (s *UI) handleDraftPage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	v, err := s.draft(r, sc, url.Values{"page": r.URL.Query()["page"]})
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "list_submit.html", v.draftView)
	return nil
}

func (s *UI) handleDraftForm(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	if err := readForm(w, r, "web.draft", 1<<20); err != nil {
		return err
	}
	form := r.PostForm
	d, err := s.draft(r, sc, form)
	if err != nil {
		return err
	}
	v := &d.draftView
	if form.Get("op") != "submit" {
		if form.Get("op") == "preview" && (len(v.AddErrors) > 0 || len(v.RemoveErrors) > 0) {
			v.Message = v.T("form.invalid")
			s.render(w, r, http.StatusUnprocessableEntity, "list_submit.html", *v)
			return nil
		}
		s.render(w, r, http.StatusOK, "list_submit.html", *v)
		return nil
	}
	if d.reasonErr != "" {
		v.Fields["reason"] = d.reasonErr
	}
	if len(v.AddErrors) > 0 || len(v.RemoveErrors) > 0 || len(v.Fields) > 0 {
		v.Message = v.T("form.invalid")
		s.render(w, r, http.StatusUnprocessableEntity, "list_submit.html", *v)
		return nil
	}
	if d.current != nil && len(v.Added) == 0 && len(v.Removed) == 0 {
		v.Message = v.T("draft.err.nochange", d.current.Version)
		s.render(w, r, http.StatusUnprocessableEntity, "list_submit.html", *v)
		return nil
	}
	_, err = s.db.SubmitList(r.Context(), sc, v.Ex.ID, exchange.ListKind(v.Kind), d.items, d.removed, strings.TrimSpace(v.Reason))
	if err == nil {
		s.redirect(w, r, "/exchanges/"+url.PathEscape(v.Ex.ID)+"#list-"+url.PathEscape(sc.Party)+"-"+url.PathEscape(v.Kind))
		return nil
	}
	if !errs.Is(errs.Invalid, err) && !errs.Is(errs.Conflict, err) {
		return err
	}
	v.Message = refusalText(v.chrome, err)
	s.render(w, r, http.StatusUnprocessableEntity, "list_submit.html", *v)
	return nil
}

// draftState is the draft view with what a submission sends.
type draftState struct {
	draftView
	current *exchange.ListVersion
	items   []exchange.Item
	removed []exchange.Removal
	// reasonErr is what the list version says of the version's reason,
	// shown when the draft is submitted.
	reasonErr string
}

// looksLikeRecordID reports whether s has the shape of the store's record
// ids ("r" and 16 base32 characters).
func looksLikeRecordID(s string) bool {
	if len(s) != 17 || s[0] != 'r' {
		return false
	}
	for _, c := range s[1:] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// lines splits a textarea into its trimmed lines, keeping their numbers
// (from 1) and leaving out empty ones.
func lines(s string) (out []string, nums []int) {
	for i, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
			nums = append(nums, i+1)
		}
	}
	return out, nums
}

// addLine adds the line "id reason" to the textarea s unless a line
// already names id first.
func addLine(s, id, reason string) string {
	for _, l := range strings.Split(s, "\n") {
		if first, _, _ := strings.Cut(strings.TrimSpace(l), " "); first == id {
			return s
		}
	}
	if s = strings.TrimRight(s, "\r\n"); s != "" {
		s += "\n"
	}
	return s + id + " " + reason + "\n"
}

// editLines adds the line x to the textarea s (unless a line already
// starts with x), or, with drop, removes the lines starting with x.
func editLines(s, x string, drop bool) string {
	var out []string
	found := false
	for _, l := range strings.Split(strings.TrimRight(s, "\r\n"), "\n") {
		l = strings.TrimRight(l, "\r")
		first, _, _ := strings.Cut(strings.TrimSpace(l), " ")
		if first == x {
			found = true
			if drop {
				continue
			}
		}
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	if !found && !drop {
		out = append(out, x)
	}
	if len(out) == 0 {
		return ""
	}
	return strings.Join(out, "\n") + "\n"
}

// draft builds the draft of the next list version from the form: the
// current version, minus the persons struck, plus those added.
func (s *UI) draft(r *http.Request, sc access.Scope, form url.Values) (draftState, error) {
	ctx := r.Context()
	id, kind := r.PathValue("id"), exchange.ListKind(r.PathValue("kind"))
	ex, err := s.db.Exchange(ctx, sc, id)
	if err != nil {
		return draftState{}, err
	}
	if !kind.Valid() {
		return draftState{}, errs.E("web.draft", errs.NotFound, fmt.Sprintf("no list kind %q: offer or request", kind), errs.Coded{Code: "no_list_kind", Args: []string{string(kind)}})
	}
	if !ex.HasParty(sc.Party) {
		return draftState{}, errs.E("web.draft", errs.Forbidden, "only the two parties of the exchange submit lists", errs.Coded{Code: "lists_by_parties"})
	}
	if err := access.Decide(sc, access.ListSubmit, access.Resource{Party: sc.Party}); err != nil {
		return draftState{}, err
	}
	d := draftState{draftView: draftView{chrome: s.chromeFor(r, "draft.title."+string(kind)), Ex: ex, Kind: string(kind)}}
	v := &d.draftView
	v.Title = v.T("draft.title."+string(kind), sc.Party)
	v.Fields = map[string]string{}
	v.Add, v.Remove = form.Get("add"), form.Get("remove")
	v.RemoveReason, v.Reason, v.Q = strings.TrimSpace(form.Get("remove_reason")), form.Get("reason"), strings.TrimSpace(form.Get("q"))
	// The buttons that change the draft.
	if x := form.Get("strike"); x != "" {
		v.Remove = editLines(v.Remove, x, false)
	}
	if x := form.Get("unstrike"); x != "" {
		v.Remove = editLines(v.Remove, x, true)
	}
	if x := form.Get("addid"); x != "" {
		v.Add = editLines(v.Add, x, false)
	}
	if x := form.Get("unadd"); x != "" {
		v.Add = editLines(v.Add, x, true)
	}
	// Carry the unresolved of the party's earlier rounds into its request
	// list (docs/design/law.md, the backlog across rounds): each as a line
	// of its record id and the reason, unless already named.
	if kind == exchange.Request && form.Get("op") == "carry" {
		_, carried, err := s.db.CarryOver(ctx, sc, id)
		if err != nil {
			return d, err
		}
		for _, c := range carried {
			v.Add = addLine(v.Add, c.Item.RecordID, httpx.CarryReason(v.lang(), c.Carried))
		}
		v.Flash = v.T("draft.carried", len(carried))
	}
	v.MayCarry = kind == exchange.Request
	want := person.Held
	if kind == exchange.Request {
		want = person.Sought
	}
	var cur sqlstore.ListView
	cur, err = s.db.List(ctx, sc, id, sc.Party, kind, 0)
	switch {
	case errs.Is(errs.NotFound, err):
	case err != nil:
		return d, err
	default:
		v.Current = cur.Version
		lv := exchange.ListVersion{Exchange: id, Party: sc.Party, Kind: kind, Version: cur.Version}
		for _, it := range cur.Items {
			lv.Items = append(lv.Items, it.Item)
		}
		d.current = &lv
	}
	onList := make(map[string]int, len(cur.Items))
	for i, it := range cur.Items {
		onList[it.RecordID] = i
	}
	// The persons struck: a record id of the current version, then the
	// reason (or the common reason). Whether the reason will do is the
	// list version's to say (below); a strike without one shows "?".
	struck := map[string]string{}
	struckLine := map[string]int{}
	type lineError struct {
		line int
		text string
	}
	var removeErrs []lineError
	rl, rn := lines(v.Remove)
	for i, l := range rl {
		rid, why, _ := strings.Cut(l, " ")
		why = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(why), "—–-:,;"))
		if why == "" {
			why = v.RemoveReason
		}
		switch _, ok := onList[rid]; {
		case !ok:
			removeErrs = append(removeErrs, lineError{rn[i], v.T("draft.err.notlisted", rn[i], rid, v.Current)})
		case struck[rid] != "":
			removeErrs = append(removeErrs, lineError{rn[i], v.T("draft.err.twice", rn[i], rid)})
		case why == "":
			struck[rid], struckLine[rid] = "?", rn[i]
		default:
			struck[rid], struckLine[rid] = why, rn[i]
		}
	}
	// The persons added: record ids or service numbers of the party's own
	// register of the list's kind.
	al, an := lines(v.Add)
	var added []person.Record
	why := map[string]string{} // the reason an add line gives after a record id
	seen := map[string]bool{}
	// Lines that are no record id name a service number (as a whole
	// line: "А-123 456"); they are looked up together.
	var sns []string
	for _, l := range al {
		if tok, _, _ := strings.Cut(l, " "); !looksLikeRecordID(strings.Trim(tok, ",;")) {
			sns = append(sns, l)
		}
	}
	bySN := map[string][]person.Record{}
	if len(sns) > 0 {
		if bySN, err = s.db.RecordsByServiceNumber(ctx, sc, sc.Party, want, sns); err != nil {
			return d, err
		}
	}
	for i, l := range al {
		tok, rest, _ := strings.Cut(l, " ")
		tok = strings.Trim(tok, ",;")
		var rec person.Record
		found := false
		if looksLikeRecordID(tok) {
			rec, err = s.db.Record(ctx, sc, tok)
			switch {
			case err == nil && rec.Party == sc.Party:
				found = true
			case err != nil && !errs.Is(errs.NotFound, err):
				return d, err
			}
		}
		if !found {
			hits := bySN[person.FoldCode(l)]
			switch {
			case len(hits) == 1:
				rec, found = hits[0], true
			case len(hits) > 1:
				v.AddErrors = append(v.AddErrors, v.T("draft.err.ambiguous", an[i], l, len(hits)))
				continue
			}
		}
		switch {
		case !found:
			v.AddErrors = append(v.AddErrors, v.T("draft.err.unknown", an[i], l))
		case rec.Kind != want:
			v.AddErrors = append(v.AddErrors, v.T("draft.err.register."+string(kind), an[i], rec.ID))
		case struck[rec.ID] != "":
			v.AddErrors = append(v.AddErrors, v.T("draft.err.addstruck", an[i], rec.ID))
		case seen[rec.ID]:
			// Named twice (by id and service number, say): once is enough.
		default:
			seen[rec.ID] = true
			if _, ok := onList[rec.ID]; !ok {
				added = append(added, rec)
				if looksLikeRecordID(tok) && rec.ID == tok {
					why[rec.ID] = strings.TrimSpace(rest)
				}
			}
		}
	}
	// The next version: the current one in its order without the struck,
	// then the added in the order given.
	var rows []draftRow
	for _, it := range cur.Items {
		row := draftRow{RecordID: it.RecordID, Category: it.Category}
		if it.Person != nil {
			row.Name, row.BirthDate, row.ServiceNumber = it.Person.DisplayName(), it.Person.BirthDate, it.Person.ServiceNumber
		}
		if why, ok := struck[it.RecordID]; ok {
			row.Reason = why
			v.Removed = append(v.Removed, row)
			if why == "?" {
				why = ""
			}
			d.removed = append(d.removed, exchange.Removal{RecordID: it.RecordID, Reason: why})
			continue
		}
		item := it.Item
		item.Reason = ""
		d.items = append(d.items, item)
		rows = append(rows, row)
	}
	for _, rec := range added {
		row := draftRow{RecordID: rec.ID, Category: rec.Category, Name: rec.DisplayName(), BirthDate: rec.BirthDate, ServiceNumber: rec.ServiceNumber, New: true}
		d.items = append(d.items, exchange.Item{RecordID: rec.ID, Category: rec.Category, Reason: why[rec.ID]})
		rows = append(rows, row)
		if len(v.Added) < draftListed {
			v.Added = append(v.Added, row)
		} else {
			v.AddedMore++
		}
	}
	v.Total = len(rows)
	v.Pages = max(1, (v.Total+draftPageSize-1)/draftPageSize)
	page, _ := strconv.Atoi(form.Get("page"))
	if g := form.Get("goto"); g != "" {
		page, _ = strconv.Atoi(g)
	}
	v.Page = min(max(page, 1), v.Pages)
	v.Rows = rows[(v.Page-1)*draftPageSize : min(v.Page*draftPageSize, v.Total)]
	// What the list version says of the reasons: the version's, shown
	// when it is submitted, and each strike's, at its line.
	next := exchange.NewDraft(id, sc.Party, kind, d.current, d.items, strings.TrimSpace(v.Reason))
	next.Removed = d.removed
	for _, fe := range errs.Fields(next.Validate(d.current)) {
		n, removed := strings.CutPrefix(fe.Field, "removed[")
		n, ofReason := strings.CutSuffix(n, "].reason")
		i, err := strconv.Atoi(n)
		switch {
		case fe.Field == "reason":
			d.reasonErr = fieldMessage(v.chrome, fe)
		case removed && ofReason && err == nil && i >= 0 && i < len(d.removed):
			rid := d.removed[i].RecordID
			removeErrs = append(removeErrs, lineError{struckLine[rid], v.T("draft.err.line", struckLine[rid], rid, fieldMessage(v.chrome, fe))})
		}
	}
	slices.SortStableFunc(removeErrs, func(a, b lineError) int { return a.line - b.line })
	for _, e := range removeErrs {
		v.RemoveErrors = append(v.RemoveErrors, e.text)
	}
	if len(v.AddErrors) > 0 {
		v.Fields["add"] = v.T("draft.err.addlines", len(v.AddErrors))
	}
	if len(v.RemoveErrors) > 0 {
		v.Fields["remove"] = v.T("draft.err.removelines", len(v.RemoveErrors))
	}
	if v.Q != "" {
		v.Searched = true
		pg, err := s.db.Records(ctx, sc, sqlstore.RecordFilter{Party: sc.Party, Kind: want, Text: v.Q, Limit: 20})
		if errs.Is(errs.Invalid, err) {
			v.Fields["q"] = v.T("draft.err.search")
		} else if err != nil {
			return d, err
		}
		inDraft := make(map[string]bool, len(d.items))
		for _, it := range d.items {
			inDraft[it.RecordID] = true
		}
		for _, rec := range pg.Records {
			v.Hits = append(v.Hits, draftRow{RecordID: rec.ID, Category: rec.Category, Name: rec.DisplayName(), BirthDate: rec.BirthDate,
				ServiceNumber: rec.ServiceNumber, Listed: inDraft[rec.ID]})
		}
	}
	return d, nil
}

// blockingIDs are the record ids of what blocks agreement.
func blockingIDs(v *exchange.View) []string {
	ids := make([]string, 0, len(v.Blocking))
	for _, b := range v.Blocking {
		ids = append(ids, b.RecordID)
	}
	return ids
}

// listItemsQuery keeps the items whose name (as registered or in Latin),
// record id or service number contains q, case and apostrophes folded (a
// withheld person by record id only), ordered by sort ("" keeps the
// list's order).
func listItemsQuery(party string, items []sqlstore.ListItem, q, sort string) []sqlstore.ListItem {
	needle, code := person.Fold(q), person.FoldCode(q)
	name := func(it sqlstore.ListItem) (string, string) {
		if it.Person == nil {
			return "", ""
		}
		return it.Person.DisplayName(), person.LatinOf(party, it.Person).Text
	}
	var out []sqlstore.ListItem
	for _, it := range items {
		n, l := name(it)
		if needle != "" && !strings.Contains(person.Fold(it.RecordID), needle) && !strings.Contains(person.Fold(n), needle) && !strings.Contains(person.Fold(l), needle) &&
			(it.Person == nil || code == "" || !strings.Contains(person.FoldCode(it.Person.ServiceNumber), code)) {
			continue
		}
		out = append(out, it)
	}
	key := map[string]func(it sqlstore.ListItem) string{
		"name":  func(it sqlstore.ListItem) string { n, _ := name(it); return person.Fold(n) },
		"latin": func(it sqlstore.ListItem) string { _, l := name(it); return person.Fold(l) },
		"birth": func(it sqlstore.ListItem) string {
			if it.Person == nil {
				return ""
			}
			return it.Person.BirthDate.String()
		},
		"number": func(it sqlstore.ListItem) string {
			if it.Person == nil {
				return ""
			}
			return person.FoldCode(it.Person.ServiceNumber)
		},
		"record": func(it sqlstore.ListItem) string { return it.RecordID },
	}[sort]
	if key != nil {
		slices.SortStableFunc(out, func(a, b sqlstore.ListItem) int { return cmp.Compare(key(a), key(b)) })
	}
	return out
}
