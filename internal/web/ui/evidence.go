package ui

// The eligibility evidence of one record (issue 8): what the exchange's
// eligibility rules read beside the record's own fields — the medical
// commission's decision, the consent events, a Rule 128 blocker. The store
// replaces the whole evidence on every save, so the form always starts
// from the current evidence (sqlstore.Evidence) and posts all of it back:
// saving never loses an entry the form did not show.

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/web/ui/form"
)

func (s *UI) registerUIEvidenceRoutes() {
	s.page("GET", "/records/{id}/evidence", access.EvidenceWrite, "A record's eligibility evidence: commission decision, consent events, release blocker; the form starts from the current evidence.", s.handleEvidencePage)
	s.page("POST", "/records/{id}/evidence", access.EvidenceWrite, "Save the whole eligibility evidence of a record, or add a consent row; field errors shown next to the fields.", s.handleEvidenceForm)
}

// maxConsentRows bounds the consent rows of the form ("add a row" stops
// there); evidenceFormLimit bounds the posted form.
const (
	maxConsentRows    = 50
	evidenceFormLimit = 64 << 10
)

type evidenceView struct {
	chrome
	Record  person.Record
	Current exchange.Evidence
	// Commission, Consent and Blocker are the form's inputs, filled from
	// the current evidence or from what was posted.
	Commission []evidenceField
	Consent    [][]evidenceField
	Blocker    evidenceField
	Rows       int
	MaxRows    bool
}

// evidenceField is one input of the evidence form.
type evidenceField struct {
	Name, Label, Type, Value, Error string
	Options                         []option
	Checked                         bool
}

// CommissionDate is the current commission date as a record date, for
// the page ($.Day); zero when none was given.
func (v evidenceView) CommissionDate() person.Date {
	if v.Current.Commission == nil {
		return person.Date{}
	}
	return dayOf(v.Current.Commission.Date)
}

// ConsentDay is a consent event's date as a record date, for the page.
func (evidenceView) ConsentDay(c exchange.Consent) person.Date { return dayOf(c.Date) }

func dayOf(t time.Time) person.Date {
	if t.IsZero() {
		return person.Date{}
	}
	return person.Date{Year: t.Year(), Month: int(t.Month()), Day: t.Day()}
}

// evidenceForm is what the form holds: the inputs as typed, by name.
type evidenceForm struct {
	raw  url.Values
	rows int
}

// formOfEvidence lays the current evidence out as the form would post it,
// with one empty consent row to add the next event.
func formOfEvidence(ev exchange.Evidence) evidenceForm {
	f := evidenceForm{raw: url.Values{}, rows: len(ev.Consent) + 1}
	if c := ev.Commission; c != nil {
		f.raw.Set("commission_decision", string(c.Decision))
		if c.Tier != 0 {
			f.raw.Set("commission_tier", strconv.Itoa(int(c.Tier)))
		}
		if !c.Date.IsZero() {
			f.raw.Set("commission_date", c.Date.Format(time.DateOnly))
		}
		if c.Manifest {
			f.raw.Set("commission_manifest", "1")
		}
	}
	for i, c := range ev.Consent {
		f.raw.Set(consentName("kind", i), string(c.Kind))
		f.raw.Set(consentName("date", i), c.Date.Format(time.DateOnly))
		f.raw.Set(consentName("witness", i), c.Witness)
		f.raw.Set(consentName("note", i), c.Note)
	}
	f.raw.Set("blocker", string(ev.Blocker))
	return f
}

func consentName(part string, row int) string { return fmt.Sprintf("consent_%s_%d", part, row) }

// parseEvidenceForm reads the posted form into evidence. Empty consent
// rows are skipped. It reads syntax only — a date that is no date, a tier
// that is no number — and says so as field errors by form field; what the
// evidence must be (a decision with the commission, a witness and a date
// for each statement, statements oldest first, nothing in the future) is
// exchange.Evidence.Validate's, in the store. rowOf maps the index of a
// consent event in the evidence to its form row.
func parseEvidenceForm(r *http.Request) (exchange.Evidence, evidenceForm, []errs.FieldError, []int) {
	f := evidenceForm{raw: url.Values{}}
	get := func(name string) string {
		v := r.PostFormValue(name)
		f.raw.Set(name, v)
		return strings.TrimSpace(v)
	}
	var ev exchange.Evidence
	var fe []errs.FieldError
	date := func(name string) time.Time {
		d, bad := form.Day(name, get(name))
		if bad != nil {
			fe = append(fe, *bad)
		}
		return d
	}

	decision, tier := get("commission_decision"), get("commission_tier")
	t, bad := form.Count("commission_tier", tier)
	if bad != nil {
		fe = append(fe, *bad)
	}
	cdate := date("commission_date")
	manifest := get("commission_manifest") != ""
	if decision != "" || tier != "" || f.raw.Get("commission_date") != "" || manifest {
		ev.Commission = &exchange.Commission{Decision: exchange.Decision(decision), Tier: exchange.Tier(t), Date: cdate, Manifest: manifest}
	}

	f.rows, _ = strconv.Atoi(r.PostFormValue("rows"))
	f.rows = min(max(f.rows, 1), maxConsentRows)
	var rowOf []int
	for i := range f.rows {
		kind := get(consentName("kind", i))
		d := date(consentName("date", i))
		witness, note := get(consentName("witness", i)), get(consentName("note", i))
		if kind == "" && f.raw.Get(consentName("date", i)) == "" && witness == "" && note == "" {
			continue // an empty row
		}
		ev.Consent = append(ev.Consent, exchange.Consent{Kind: exchange.ConsentKind(kind), Date: d, Witness: witness, Note: note})
		rowOf = append(rowOf, i)
	}
	ev.Blocker = exchange.Blocker(get("blocker"))
	return ev, f, fe, rowOf
}

// formField names the form input a store field error is about:
// "consent[1].date" is the date of the form row the second event came
// from.
func evidenceFormField(field string, rowOf []int) string {
	switch field {
	case "commission.decision", "commission.tier", "commission.date":
		return strings.Replace(field, ".", "_", 1)
	case "blocker":
		return field
	}
	var i int
	var part string
	if n, _ := fmt.Sscanf(strings.NewReplacer("[", " ", "].", " ").Replace(field), "consent %d %s", &i, &part); n == 2 && i >= 0 && i < len(rowOf) {
		return consentName(part, rowOf[i])
	}
	return "commission_decision"
}

// fill lays out the form's inputs from f, with the errors by input name.
func (v *evidenceView) fill(f evidenceForm, bad map[string]string) {
	opts := func(cur string, vals ...string) []option {
		out := []option{{Value: "", Label: "—", Selected: cur == ""}}
		for _, x := range vals {
			out = append(out, option{Value: x, Label: v.T("evidence.value." + x), Selected: x == cur})
		}
		return out
	}
	field := func(name, typ string, options ...string) evidenceField {
		label := name
		if i := strings.LastIndexByte(name, '_'); strings.HasPrefix(name, "consent_") && i > 0 {
			label = name[:i]
		}
		fd := evidenceField{Name: name, Label: v.T("evidence." + label), Type: typ, Value: f.raw.Get(name), Error: bad[name]}
		switch typ {
		case "select":
			fd.Options = opts(fd.Value, options...)
		case "checkbox":
			fd.Checked = fd.Value != ""
		}
		return fd
	}
	v.Commission = []evidenceField{
		field("commission_decision", "select", "A", "B", "NC"),
		field("commission_tier", "select", "1", "2", "3"),
		field("commission_date", "date"),
		field("commission_manifest", "checkbox"),
	}
	v.Consent = nil
	for i := range f.rows {
		v.Consent = append(v.Consent, []evidenceField{
			field(consentName("kind", i), "select", "given", "withdrawn", "refused"),
			field(consentName("date", i), "date"),
			field(consentName("witness", i), "text"),
			field(consentName("note", i), "text"),
		})
	}
	v.Blocker = field("blocker", "select", "pending_prosecution", "serving_sentence")
	v.Blocker.Label = v.T("evidence.blockerfield")
	v.Rows = f.rows
	v.MaxRows = f.rows >= maxConsentRows
}

// evidencePage loads the record and its evidence for one who may write it.
func (s *UI) evidencePage(r *http.Request, sc access.Scope) (evidenceView, error) {
	rec, err := s.db.Record(r.Context(), sc, r.PathValue("id"))
	if err != nil {
		return evidenceView{}, err
	}
	if err := access.Decide(sc, access.EvidenceWrite, access.Resource{Party: rec.Party}); err != nil {
		return evidenceView{}, err
	}
	ev, err := s.db.Evidence(r.Context(), sc, rec.ID)
	if err != nil {
		return evidenceView{}, err
	}
	return evidenceView{chrome: s.chromeFor(r, "evidence.title"), Record: rec, Current: ev}, nil
}

func (s *UI) handleEvidencePage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	v, err := s.evidencePage(r, sc)
	if err != nil {
		return err
	}
	v.fill(formOfEvidence(v.Current), nil)
	s.render(w, r, http.StatusOK, "evidence.html", v)
	return nil
}

func (s *UI) handleEvidenceForm(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	if err := readForm(w, r, "web.evidence", evidenceFormLimit); err != nil {
		return err
	}
	v, err := s.evidencePage(r, sc)
	if err != nil {
		return err
	}
	ev, f, fe, rowOf := parseEvidenceForm(r)
	bad := map[string]string{}
	for _, e := range fe {
		if bad[e.Field] == "" {
			bad[e.Field] = fieldMessage(v.chrome, e)
		}
	}
	if r.PostFormValue("add_row") != "" {
		// Another consent row: the form again with what was typed, not
		// saved, and no errors yet for rows still being filled in.
		f.rows = min(f.rows+1, maxConsentRows)
		v.fill(f, nil)
		s.render(w, r, http.StatusOK, "evidence.html", v)
		return nil
	}
	if len(bad) > 0 {
		// What the rest of the form breaks, in the evidence's own words,
		// so that one post shows every problem; nothing is saved.
		for _, e := range errs.Fields(ev.Validate(s.db.Now())) {
			if name := evidenceFormField(e.Field, rowOf); bad[name] == "" {
				bad[name] = fieldMessage(v.chrome, e)
			}
		}
	} else {
		err := s.db.SetEvidence(r.Context(), sc, v.Record.ID, ev)
		if err == nil {
			s.redirect(w, r, "/records/"+url.PathEscape(v.Record.ID)+"?done=evidence")
			return nil
		}
		if !errs.Is(errs.Invalid, err) {
			return err
		}
		for _, e := range errs.Fields(err) {
			if name := evidenceFormField(e.Field, rowOf); bad[name] == "" {
				bad[name] = fieldMessage(v.chrome, e)
			}
		}
	}
	v.Message = v.T("form.invalid")
	v.fill(f, bad)
	s.render(w, r, http.StatusUnprocessableEntity, "evidence.html", v)
	return nil
}
