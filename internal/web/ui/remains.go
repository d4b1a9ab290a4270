package ui

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/locale"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/web/ui/form"
)

// The repatriation of remains of an exchange: counts per direction (no
// parity applies) and every remains with its identifications, for whoever
// reads the exchange's reports; for the mediator's operator, one form per
// item the store takes (batch, package, remains, link, identification,
// hand-back). Missing and malformed fields are said next to the field in
// the user's language; what the flow refuses (an unknown batch, a
// confirmation without a primary identifier) is said as the store words it.

func (s *UI) registerUIRemainsRoutes() {
	s.page("GET", "/exchanges/{id}/remains", access.ReportRead, "The repatriation of remains: counts per direction, remains with identifications; the operator's forms.", s.handleRemainsPage)
	s.page("POST", "/exchanges/{id}/remains", access.StageManage, "Record one item of the repatriation of remains (mediator).", s.handleRemainsRecord)
}

// remainsKinds are the items of the flow, in the order of the forms.
var remainsKinds = []string{"batch", "package", "remains", "link", "identification", "hand_back"}

type remainsView struct {
	chrome
	Exchange  string
	R         sqlstore.RemainsView
	Dirs      []directionRow
	MayRecord bool
	Forms     []remainsForm
}

// directionRow is a direction's counts with its counts by status.
type directionRow struct {
	crossing.Direction
	Claimed, Preliminary, Confirmed, Excluded int
}

// remainsForm is one item's form, laid out in Go so that one template
// draws every field with its label, help and error.
type remainsForm struct {
	Kind, Title string
	EventID     string // the identification's id: sending the form twice records once
	Fields      []remainsField
	Open        bool // shown unfolded: the form that was just sent
}

type remainsField struct {
	ID, Name, Label, Type, Value, Help, Error string
	Required                                  bool
	Options                                   []remainsOption
}

type remainsOption struct{ Value, Label string }

func (s *UI) handleRemainsPage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	v, err := s.remainsPage(r, sc, nil, "", nil)
	if err != nil {
		return err
	}
	if done := r.URL.Query().Get("done"); slices.Contains(remainsKinds, done) {
		v.Flash = v.T("remains.done." + done)
	}
	s.render(w, r, http.StatusOK, "remains.html", v)
	return nil
}

// remainsPage builds the page; form holds what was typed in the form of
// kind, and fields its errors by field name.
func (s *UI) remainsPage(r *http.Request, sc access.Scope, form url.Values, kind string, fields map[string]string) (remainsView, error) {
	ctx := r.Context()
	id := r.PathValue("id")
	rv, err := s.db.Remains(ctx, sc, id)
	if err != nil {
		return remainsView{}, err
	}
	v := remainsView{chrome: s.chromeFor(r, "remains.title"), Exchange: id, R: rv, MayRecord: access.Decide(sc, access.StageManage, access.Resource{}) == nil}
	v.Title = v.T("remains.heading", id)
	for _, d := range rv.Summary {
		v.Dirs = append(v.Dirs, directionRow{Direction: d, Claimed: d.ByStatus[crossing.IDClaimed], Preliminary: d.ByStatus[crossing.IDPreliminary],
			Confirmed: d.ByStatus[crossing.IDConfirmed], Excluded: d.ByStatus[crossing.IDExcluded]})
	}
	if !v.MayRecord {
		return v, nil
	}
	ex, err := s.db.Exchange(ctx, sc, id)
	if err != nil {
		return v, err
	}
	sides := []remainsOption{{"", "—"}}
	for _, p := range ex.Parties {
		sides = append(sides, remainsOption{p, p})
	}
	var remainsIDs []remainsOption
	for _, x := range rv.Remains {
		remainsIDs = append(remainsIDs, remainsOption{x.ID, x.ID})
	}
	opts := func(prefix string, vals ...string) []remainsOption {
		out := []remainsOption{{"", "—"}}
		for _, x := range vals {
			out = append(out, remainsOption{x, v.T(prefix + x)})
		}
		return out
	}
	get := func(k, name string) string {
		if k != kind {
			return ""
		}
		return form.Get(name)
	}
	f := func(k, name, label, typ string, req bool, o []remainsOption) remainsField {
		ff := remainsField{ID: k + "-" + name, Name: name, Label: v.T("remains.f." + label), Type: typ, Required: req, Options: o, Value: get(k, name)}
		if k == kind {
			ff.Error = fields[name]
		}
		if h := "remains.h." + label; locale.Has(h) {
			ff.Help = v.T(h)
		}
		return ff
	}
	for _, k := range remainsKinds {
		rf := remainsForm{Kind: k, Title: v.T("remains.form." + k), Open: k == kind}
		if k == "identification" {
			if rf.EventID = get(k, "event"); rf.EventID == "" {
				rf.EventID = newEventID()
			}
		}
		switch k {
		case "batch", "hand_back":
			rf.Fields = []remainsField{f(k, "id", "batch", "text", true, nil), f(k, "sender", "sender", "select", true, sides), f(k, "receiver", "receiver", "select", true, sides),
				f(k, "at", "at", "text", false, nil), f(k, "point", "point", "text", false, nil)}
			if k == "batch" {
				rf.Fields = append(rf.Fields, f(k, "declared", "declared", "number", false, nil))
			} else {
				rf.Fields = append(rf.Fields, f(k, "remains", "handback", "text", true, nil))
			}
		case "package":
			rf.Fields = []remainsField{f(k, "id", "package", "text", true, nil), f(k, "batch", "batch", "text", true, nil), f(k, "tag", "tag", "text", false, nil)}
		case "remains":
			rf.Fields = []remainsField{f(k, "id", "remains", "text", true, nil), f(k, "batch", "batch", "text", true, nil), f(k, "claim_side", "claimside", "select", true, sides),
				f(k, "claim_record", "claimrecord", "text", false, nil), f(k, "packages", "packages", "text", true, nil)}
		case "link":
			rf.Fields = []remainsField{f(k, "package", "package", "text", true, nil), f(k, "remains", "remains", "select", true, append([]remainsOption{{"", "—"}}, remainsIDs...))}
		case "identification":
			rf.Fields = []remainsField{f(k, "remains", "remains", "select", true, append([]remainsOption{{"", "—"}}, remainsIDs...)),
				f(k, "status", "status", "select", true, opts("idstatus.", "preliminary", "confirmed", "excluded")),
				f(k, "method", "method", "select", true, opts("idmethod.", "visual", "fingerprints", "dental", "dna")),
				f(k, "examiner", "examiner", "text", true, nil), f(k, "side", "idside", "select", false, sides),
				f(k, "record_id", "idrecord", "text", false, nil), f(k, "note", "note", "text", false, nil)}
		}
		v.Forms = append(v.Forms, rf)
	}
	return v, nil
}

func (s *UI) handleRemainsRecord(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	if err := readForm(w, r, "web.remains", 64<<10); err != nil {
		return err
	}
	id := r.PathValue("id")
	f := r.PostForm
	kind := f.Get("kind")
	if !slices.Contains(remainsKinds, kind) {
		return errs.E("web.remains", errs.Invalid, errs.FieldError{Field: "kind", Message: "batch, package, remains, link, identification or hand_back", Code: "bad_remains_kind"})
	}
	c := s.chromeFor(r, "remains.title")
	val := func(name string) string { return strings.TrimSpace(f.Get(name)) }
	// The form reads what was typed; the flow's own checks, in the store,
	// say what breaks a rule.
	var bad []errs.FieldError
	in := sqlstore.RemainsInput{Kind: kind}
	switch kind {
	case "batch", "hand_back":
		at, fe := form.When("at", val("at"), time.Now().UTC().Truncate(time.Second))
		if fe != nil {
			bad = append(bad, *fe)
		}
		b := &crossing.Batch{ID: val("id"), Sender: val("sender"), Receiver: val("receiver"), At: at, Point: val("point")}
		if kind == "batch" {
			n, fe := form.Count("declared", val("declared"))
			if fe != nil {
				bad = append(bad, *fe)
			}
			b.Declared = n
		} else {
			in.HandBack = form.IDs(val("remains"))
		}
		in.Batch = b
	case "package":
		in.Package = &crossing.Package{ID: val("id"), Batch: val("batch"), Tag: val("tag")}
	case "remains":
		in.Remains = &crossing.Remains{ID: val("id"), Batch: val("batch"), Claim: crossing.Claim{Side: val("claim_side"), RecordID: val("claim_record")},
			Packages: form.IDs(val("packages"))}
	case "link":
		in.Link = &crossing.Link{Package: val("package"), Remains: val("remains")}
	case "identification":
		x := &crossing.Identification{ID: f.Get("event"), Remains: val("remains"), Status: crossing.IDStatus(val("status")), Method: crossing.IDMethod(val("method")),
			Examiner: val("examiner"), RecordID: val("record_id"), Side: val("side"), Note: val("note")}
		if x.ID == "" {
			x.ID = newEventID()
		}
		in.Identification = x
	}
	fields := map[string]string{}
	for _, fe := range bad {
		fields[fe.Field] = fieldMessage(c, fe)
	}
	var refusal error
	if len(fields) == 0 {
		_, err := s.db.RecordRemains(r.Context(), sc, id, in)
		if err == nil {
			s.redirect(w, r, "/exchanges/"+url.PathEscape(id)+"/remains?done="+kind)
			return nil
		}
		if !errs.Is(errs.Invalid, err) && !errs.Is(errs.Conflict, err) && !errs.Is(errs.NotFound, err) {
			return err
		}
		refusal = err
		// The flow's field errors go next to the form's fields; what no
		// field of the form shows goes in the message.
		for _, fe := range errs.Fields(err) {
			name := strings.TrimPrefix(fe.Field, "claim.")
			if name == "side" && kind == "remains" {
				name = "claim_side"
			}
			fields[name] = joinMsg(fields[name], fieldMessage(c, fe)+where(fe))
		}
	}
	v, err := s.remainsPage(r, sc, f, kind, fields)
	if err != nil {
		return err
	}
	switch {
	case refusal != nil && len(fields) > 0:
		// What no field of the open form shows goes in the message.
		shown := map[string]bool{}
		for _, rf := range v.Forms {
			for _, ff := range rf.Fields {
				shown[ff.Name] = shown[ff.Name] || rf.Kind == kind
			}
		}
		v.Message = v.T("remains.notrecorded")
		for _, name := range slices.Sorted(maps.Keys(fields)) {
			if !shown[name] {
				v.Message += " " + fields[name]
			}
		}
	case refusal != nil:
		v.Message = v.T("remains.notrecorded") + " " + refusalText(v.chrome, refusal)
	default:
		v.Message = v.T("form.invalid")
	}
	s.render(w, r, http.StatusUnprocessableEntity, "remains.html", v)
	return nil
}

// where names the item a field error is about, when it says.
func where(fe errs.FieldError) string {
	if fe.Where == "" {
		return ""
	}
	return " (" + fe.Where + ")"
}
