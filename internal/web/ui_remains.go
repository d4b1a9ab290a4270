package web

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/locale"
	"github.com/handover-project/handover/internal/sqlstore"
)

// The repatriation of remains of an exchange: counts per direction (no
// parity applies) and every remains with its identifications, for whoever
// reads the exchange's reports; for the mediator's operator, one form per
// item the store takes (batch, package, remains, link, identification,
// hand-back). Missing and malformed fields are said next to the field in
// the user's language; what the flow refuses (an unknown batch, a
// confirmation without a primary identifier) is said as the store words it.

func (s *Server) registerUIRemainsRoutes() {
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

func (s *Server) handleRemainsPage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
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
func (s *Server) remainsPage(r *http.Request, sc access.Scope, form url.Values, kind string, fields map[string]string) (remainsView, error) {
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

// splitIDs reads a list of ids separated by commas, spaces or lines.
func splitIDs(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
}

// parseWhen reads a time as people type it, in UTC: 2025-05-23 10:00,
// 2025-05-23T10:00 (a browser's date-time field), 23.05.2025 10:00, a
// date alone, or RFC 3339. Empty is now.
func parseWhen(s string, now time.Time) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return now, true
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02 15:04", "02.01.2006 15:04", "2006-01-02", "02.01.2006"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func (s *Server) handleRemainsRecord(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	if err := readForm(w, r, "web.remains", 64<<10); err != nil {
		return err
	}
	id := r.PathValue("id")
	f := r.PostForm
	kind := f.Get("kind")
	if !slices.Contains(remainsKinds, kind) {
		return errs.E("web.remains", errs.Invalid, errs.FieldError{Field: "kind", Message: "batch, package, remains, link, identification or hand_back"})
	}
	c := s.chromeFor(r, "remains.title")
	fields := map[string]string{}
	val := func(name string) string {
		x := strings.TrimSpace(f.Get(name))
		return x
	}
	need := func(names ...string) {
		for _, n := range names {
			if val(n) == "" {
				fields[n] = c.T("remains.err.required")
			}
		}
	}
	in := sqlstore.RemainsInput{Kind: kind}
	switch kind {
	case "batch", "hand_back":
		need("id", "sender", "receiver")
		at, ok := parseWhen(val("at"), time.Now().UTC().Truncate(time.Second))
		if !ok {
			fields["at"] = c.T("remains.err.at", val("at"))
		}
		if val("sender") != "" && val("sender") == val("receiver") {
			fields["receiver"] = c.T("remains.err.sameside")
		}
		b := &crossing.Batch{ID: val("id"), Sender: val("sender"), Receiver: val("receiver"), At: at, Point: val("point")}
		if kind == "batch" {
			if d := val("declared"); d != "" {
				n, err := strconv.Atoi(d)
				if err != nil || n < 0 {
					fields["declared"] = c.T("remains.err.declared")
				}
				b.Declared = n
			}
		} else {
			in.HandBack = splitIDs(val("remains"))
			if len(in.HandBack) == 0 {
				fields["remains"] = c.T("remains.err.required")
			}
		}
		in.Batch = b
	case "package":
		need("id", "batch")
		in.Package = &crossing.Package{ID: val("id"), Batch: val("batch"), Tag: val("tag")}
	case "remains":
		need("id", "batch", "claim_side")
		pk := splitIDs(val("packages"))
		if len(pk) == 0 {
			fields["packages"] = c.T("remains.err.packages")
		}
		in.Remains = &crossing.Remains{ID: val("id"), Batch: val("batch"), Claim: crossing.Claim{Side: val("claim_side"), RecordID: val("claim_record")}, Packages: pk}
	case "link":
		need("package", "remains")
		in.Link = &crossing.Link{Package: val("package"), Remains: val("remains")}
	case "identification":
		need("remains", "status", "method", "examiner")
		x := &crossing.Identification{ID: f.Get("event"), Remains: val("remains"), Status: crossing.IDStatus(val("status")), Method: crossing.IDMethod(val("method")),
			Examiner: val("examiner"), RecordID: val("record_id"), Side: val("side"), Note: val("note")}
		if x.ID == "" {
			x.ID = newEventID()
		}
		if x.Status == crossing.IDConfirmed && x.Method != "" && !x.Method.Primary() {
			fields["method"] = c.T("remains.err.primary")
		}
		if (x.Status == crossing.IDPreliminary || x.Status == crossing.IDConfirmed) && x.Side == "" {
			fields["side"] = c.T("remains.err.idside")
		}
		in.Identification = x
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
		v.Message = v.T("remains.notrecorded") + " " + errs.Message(refusal)
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
