package ui

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/casework"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/locale"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
)

func (s *UI) registerUIRecordRoutes() {
	s.page("GET", "/records", access.RecordRead, "Registers: search in any script, filters, paged on the server.", s.handleRecordsPage)
	s.page("GET", "/records/new", access.RecordCreate, "The form for a new record.", s.handleNewRecordPage)
	s.page("POST", "/records/new", access.RecordCreate, "Create a record; field errors shown next to the fields.", s.handleNewRecordForm)
	s.page("GET", "/records/{id}", access.RecordRead, "A record: current version, versions, provenance.", s.handleRecordPage)
	s.page("GET", "/records/{id}/edit", access.RecordCorrect, "The correction form of a record.", s.handleEditRecordPage)
	s.page("POST", "/records/{id}/edit", access.RecordCorrect, "Correct a record: a new version, with a reason.", s.handleEditRecordForm)
	s.page("POST", "/records/{id}/erase", access.RecordErase, "Erase a record's personal fields for a data-protection request (the party's approver); logged, the log stays verifiable.", s.handleEraseForm)
}

// uiPageSize is how many rows a register page shows.
const uiPageSize = 50

// sortWindow is how many matching records a sort by name considers: the
// registers page in creation order by cursor at any size; sorting by name
// (with the language's collation, which SQL cannot do the same way on both
// databases) is done on at most this many, and the page says so.
const sortWindow = 1000

type recordsView struct {
	chrome
	Rows       []recordRow
	Q          string
	Party      string
	Kind       string
	Category   string
	Status     string
	Sort       string
	Parties    []string
	Categories []person.Category
	Statuses   []person.Status
	Next       string // URL of the next page, "" on the last
	First      string // URL of the first page, "" on it
	Truncated  bool   // sorted by name, but more than sortWindow matched
	CanCreate  bool
	Total      int // how many records match the filters
	// Trace filters a sought register by trace status; Traces lists the
	// statuses, and ShowTrace says the register has a trace column.
	Trace     string
	Traces    []string
	ShowTrace bool
}

type recordRow struct {
	ID, Name, Party, Kind, Category, Status, ServiceNumber, Unit string
	BirthDate                                                    person.Date
	Version                                                      int
	Latin                                                        string // by the record's own system
	Trace                                                        string // trace status of a sought record its bureau reads
}

func rowOf(r person.Record) recordRow {
	return recordRow{ID: r.ID, Name: r.DisplayName(), Party: r.Party, Kind: string(r.Kind), Category: string(r.Category), Status: string(r.Status),
		BirthDate: r.BirthDate, ServiceNumber: r.ServiceNumber, Unit: r.Unit, Version: r.Version, Latin: r.Latin().Text}
}

func (s *UI) handleRecordsPage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	q := r.URL.Query()
	v := recordsView{chrome: s.chromeFor(r, "records.title"), Q: q.Get("q"), Party: q.Get("party"), Kind: q.Get("kind"),
		Category: q.Get("category"), Status: q.Get("status"), Sort: q.Get("sort"), Categories: person.Categories, Statuses: person.Statuses,
		Trace: q.Get("trace")}
	if v.Sort != "name" {
		v.Sort = ""
	}
	all, err := s.db.Parties(r.Context())
	if err != nil {
		return err
	}
	for _, p := range all {
		if len(access.Readable(sc, "", []string{p.Code})) > 0 {
			v.Parties = append(v.Parties, p.Code)
		}
	}
	v.CanCreate = access.Decide(sc, access.RecordCreate, access.Resource{Party: sc.Party, Kind: "held"}) == nil
	// The page shows one register at a time (one party's held or sought
	// records): what a registrar works on, and what the store's index
	// (party, kind, seq) pages quickly at any size.
	if v.Party == "" {
		v.Party = sc.Party
		if v.Party == "" && len(v.Parties) > 0 {
			v.Party = v.Parties[0]
		}
	}
	if v.Kind == "" {
		v.Kind = string(person.Held)
	}
	// Newest first, with the count: what was just entered or imported is
	// on the first page, and the page says how many match.
	f := sqlstore.RecordFilter{Party: v.Party, Kind: person.Kind(v.Kind), Category: person.Category(v.Category),
		Status: person.Status(v.Status), Text: v.Q, Cursor: q.Get("cursor"), Limit: uiPageSize, Newest: true, Count: true}
	v.ShowTrace = v.Kind == string(person.Sought) && access.Decide(sc, access.TraceRead, access.Resource{Party: v.Party}) == nil
	if v.ShowTrace {
		for t := crossing.TraceReported; t.Valid(); t++ {
			v.Traces = append(v.Traces, t.String())
		}
	}
	if v.Trace != "" {
		var ts crossing.TraceStatus
		if err := ts.UnmarshalText([]byte(v.Trace)); err != nil || !v.ShowTrace {
			return errs.E("web.records", errs.Invalid, errs.FieldError{Field: "trace", Message: "not a trace status of a sought register you trace", Code: "bad_trace_filter"})
		}
		f.Trace = ts
	}
	offset := 0
	if v.Sort == "name" {
		f.Cursor, f.Limit = "", sortWindow
		offset, _ = strconv.Atoi(q.Get("offset"))
		offset = max(offset, 0)
	}
	page, err := s.db.Records(r.Context(), sc, f)
	if err != nil {
		return err
	}
	v.Total = page.Total
	var traces map[string]sqlstore.TraceResult
	if v.ShowTrace && v.Sort != "name" {
		if traces, err = s.db.Traces(r.Context(), sc, page.Records); err != nil {
			return err
		}
	}
	rows := make([]recordRow, len(page.Records))
	for i, rec := range page.Records {
		rows[i] = rowOf(rec)
		if t, ok := traces[rec.ID]; ok {
			rows[i].Trace = t.Trace.Status.String()
		}
	}
	base := url.Values{}
	for _, k := range []string{"q", "party", "kind", "category", "status", "sort", "trace"} {
		if q.Get(k) != "" {
			base.Set(k, q.Get(k))
		}
	}
	if v.Sort == "name" {
		locale.Sort(v.lang(), rows, func(r recordRow) string { return r.Name })
		// Records without a name (identity not established) go last.
		named := slices.DeleteFunc(slices.Clone(rows), func(r recordRow) bool { return r.Name == "" })
		rows = append(named, slices.DeleteFunc(rows, func(r recordRow) bool { return r.Name != "" })...)
		v.Truncated = page.Next != ""
		end := min(offset+uiPageSize, len(rows))
		if offset < end {
			v.Rows = rows[offset:end]
		}
		if end < len(rows) {
			n := cloneValues(base)
			n.Set("offset", strconv.Itoa(end))
			v.Next = "/records?" + n.Encode()
		}
		if offset > 0 {
			v.First = "/records?" + base.Encode()
		}
	} else {
		v.Rows = rows
		if page.Next != "" {
			n := cloneValues(base)
			n.Set("cursor", page.Next)
			v.Next = "/records?" + n.Encode()
		}
		if f.Cursor != "" {
			v.First = "/records?" + base.Encode()
		}
	}
	s.render(w, r, http.StatusOK, "records.html", v)
	return nil
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

type recordView struct {
	chrome
	Record     person.Record
	Versions   []person.Record
	CanCorrect bool
	// CanEvidence: the user may set the record's eligibility evidence.
	CanEvidence bool
	// CanCustody: the user may read the record's custody timeline.
	CanCustody bool
	// CanErase: the user (the party's approver) may erase the record for
	// a data-protection request; EraseError is why the last try failed.
	CanErase   bool
	EraseError string
	// Timeline is the person's trace status and history, for a reader
	// who may trace the record (its own party's bureau); nil otherwise.
	Timeline *crossing.Trace
	// Cases are the record's tracing cases the caller may read.
	Cases []*casework.Case
}

func (s *UI) handleRecordPage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	v, err := s.recordPage(r, sc)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "record.html", v)
	return nil
}

// recordPage reads what the record page shows.
func (s *UI) recordPage(r *http.Request, sc access.Scope) (recordView, error) {
	hist, err := s.db.RecordHistory(r.Context(), sc, r.PathValue("id"))
	if err != nil {
		return recordView{}, err
	}
	if len(hist) == 0 {
		return recordView{}, errs.E("web.record", errs.NotFound, "no such record", errs.Coded{Code: "no_such_record"})
	}
	v := recordView{chrome: s.chromeFor(r, "record.title"), Versions: hist}
	v.Record = hist[len(hist)-1]
	// Newest first on the page.
	for i, j := 0, len(v.Versions)-1; i < j; i, j = i+1, j-1 {
		v.Versions[i], v.Versions[j] = v.Versions[j], v.Versions[i]
	}
	erased := v.Record.Erased != nil
	v.CanCorrect = !erased && access.Decide(sc, access.RecordCorrect, access.Resource{Party: v.Record.Party, Kind: string(v.Record.Kind)}) == nil
	v.CanEvidence = !erased && access.Decide(sc, access.EvidenceWrite, access.Resource{Party: v.Record.Party}) == nil
	v.CanCustody = !erased && access.Decide(sc, access.CustodyRead, access.Resource{Party: v.Record.Party}) == nil
	v.CanErase = !erased && access.Decide(sc, access.RecordErase, access.Resource{Party: v.Record.Party}) == nil
	switch r.URL.Query().Get("done") {
	case "evidence":
		v.Flash = v.T("record.done.evidence")
	case "erased":
		v.Flash = v.T("record.done.erased")
	}
	if !erased && access.Decide(sc, access.TraceRead, access.Resource{Party: v.Record.Party}) == nil {
		t, err := s.db.TraceOf(r.Context(), sc, v.Record)
		if err != nil {
			return v, err
		}
		v.Timeline = &t.Trace
	}
	if v.Record.Kind == person.Sought && access.Decide(sc, access.CaseRead, access.Resource{Party: v.Record.Party}) == nil {
		if v.Cases, err = s.db.CasesOfRecord(r.Context(), sc, v.Record.ID); err != nil {
			return v, err
		}
	}
	return v, nil
}

// handleEraseForm erases the record for a data-protection request, with
// the request's reference; a refusal is shown on the record's page.
func (s *UI) handleEraseForm(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	if err := readForm(w, r, "web.erase", 1<<12); err != nil {
		return err
	}
	id := r.PathValue("id")
	_, err := s.db.EraseRecord(r.Context(), sc, id, r.PostForm.Get("reason"))
	if err == nil {
		s.redirect(w, r, "/records/"+url.PathEscape(id)+"?done=erased")
		return nil
	}
	if !errs.Is(errs.Invalid, err) && !errs.Is(errs.Conflict, err) {
		return err
	}
	v, verr := s.recordPage(r, sc)
	if verr != nil {
		return verr
	}
	if fes := errs.Fields(err); len(fes) > 0 {
		v.EraseError = fieldMessage(v.chrome, fes[0])
	} else {
		v.EraseError = refusalText(v.chrome, err)
	}
	v.Message = v.EraseError
	s.render(w, r, http.StatusUnprocessableEntity, "record.html", v)
	return nil
}

// formField is one input of the record form.
type formField struct {
	Name, Label, Value, Error, Type string
	Options                         []option
	Checked                         bool
	Required                        bool
}

type option struct {
	Value, Label string
	Selected     bool
}

type recordFormView struct {
	chrome
	ID          string
	BaseVersion int
	Reason      string
	Fields      []formField
	Action      string
}

// recordFormFields lays out the form for f, with errors by field.
func recordFormFields(c chrome, f person.Fields, raw map[string]string, bad map[string]string) []formField {
	val := func(name, v string) string {
		if r, ok := raw[name]; ok {
			return r
		}
		return v
	}
	date := func(d person.Date) string {
		if d.IsZero() {
			return ""
		}
		return d.String()
	}
	opts := func(cur string, vals ...string) []option {
		out := []option{}
		for _, v := range vals {
			label := c.T("value." + v)
			if v == "" {
				label = "—"
			}
			out = append(out, option{Value: v, Label: label, Selected: v == cur})
		}
		return out
	}
	cats := []string{}
	for _, k := range person.Categories {
		cats = append(cats, string(k))
	}
	stats := []string{""}
	for _, k := range person.Statuses {
		stats = append(stats, string(k))
	}
	fields := []formField{
		{Name: "kind", Type: "select", Options: opts(string(f.Kind), "held", "sought"), Required: true},
		{Name: "category", Type: "select", Options: opts(string(f.Category), cats...), Required: true},
		{Name: "status", Type: "select", Options: opts(string(f.Status), stats...)},
		{Name: "surname", Value: f.Surname},
		{Name: "given_names", Value: f.GivenNames},
		{Name: "patronymic", Value: f.Patronymic},
		{Name: "full_name", Value: f.FullName},
		{Name: "latin_names", Value: strings.Join(f.LatinNames, "; ")},
		{Name: "name_language", Type: "select", Options: opts(f.NameLanguage, "", person.NameUkrainian, person.NameRussian)},
		{Name: "sex", Type: "select", Options: opts(string(f.Sex), "", "male", "female")},
		{Name: "birth_date", Value: date(f.BirthDate)},
		{Name: "birth_place", Value: f.BirthPlace},
		{Name: "rank", Value: f.Rank},
		{Name: "service_number", Value: f.ServiceNumber},
		{Name: "unit", Value: f.Unit},
		{Name: "power", Value: f.Power},
		{Name: "citizenship", Value: f.Citizenship},
		{Name: "capture_date", Value: date(f.CaptureDate)},
		{Name: "capture_place", Value: f.CapturePlace},
		{Name: "disappearance_date", Value: date(f.DisappearanceDate)},
		{Name: "disappearance_circumstances", Value: f.DisappearanceCircumstances, Type: "textarea"},
		{Name: "distinguishing_marks", Value: f.DistinguishingMarks, Type: "textarea"},
		{Name: "identity_not_established", Type: "checkbox", Checked: f.IdentityNotEstablished},
		{Name: "detrimental", Type: "checkbox", Checked: f.Detrimental},
		{Name: "detrimental_basis", Type: "select", Options: opts(string(f.DetrimentalBasis), "", string(person.WithholdCivilian), string(person.WithholdOwnRequest))},
		{Name: "detrimental_reason", Value: f.DetrimentalReason, Type: "textarea"},
		{Name: "notes", Value: f.Notes, Type: "textarea"},
		{Name: "health", Value: f.Health, Type: "textarea"},
		{Name: "next_of_kin", Value: f.NextOfKin, Type: "textarea"},
	}
	for i := range fields {
		fd := &fields[i]
		fd.Label = c.T("field." + fd.Name)
		if fd.Type == "" {
			fd.Type = "text"
		}
		if fd.Type == "text" || fd.Type == "textarea" {
			fd.Value = val(fd.Name, fd.Value)
		}
		fd.Error = bad[fd.Name]
	}
	return fields
}

// parseRecordForm reads the form into Fields. Dates that do not parse are
// field errors; raw keeps what was typed so that the form shows it back.
func parseRecordForm(c chrome, r *http.Request) (person.Fields, map[string]string, map[string]string) {
	var f person.Fields
	raw := map[string]string{}
	bad := map[string]string{}
	get := func(name string) string {
		v := r.PostFormValue(name)
		raw[name] = v
		return strings.TrimSpace(v)
	}
	f.Kind = person.Kind(get("kind"))
	f.Category = person.Category(get("category"))
	f.Status = person.Status(get("status"))
	f.Surname, f.GivenNames, f.Patronymic, f.FullName = get("surname"), get("given_names"), get("patronymic"), get("full_name")
	for _, l := range strings.Split(get("latin_names"), ";") {
		if l = strings.TrimSpace(l); l != "" {
			f.LatinNames = append(f.LatinNames, l)
		}
	}
	f.Sex = person.Sex(get("sex"))
	f.NameLanguage = get("name_language")
	f.BirthPlace, f.Rank, f.ServiceNumber, f.Unit = get("birth_place"), get("rank"), get("service_number"), get("unit")
	f.Power, f.Citizenship, f.CapturePlace = get("power"), get("citizenship"), get("capture_place")
	f.DisappearanceCircumstances, f.DistinguishingMarks, f.Notes = get("disappearance_circumstances"), get("distinguishing_marks"), get("notes")
	f.Health, f.NextOfKin = get("health"), get("next_of_kin")
	f.IdentityNotEstablished = r.PostFormValue("identity_not_established") != ""
	f.Detrimental = r.PostFormValue("detrimental") != ""
	f.DetrimentalBasis, f.DetrimentalReason = person.WithholdBasis(get("detrimental_basis")), get("detrimental_reason")
	for _, d := range []struct {
		name string
		to   *person.Date
	}{{"birth_date", &f.BirthDate}, {"capture_date", &f.CaptureDate}, {"disappearance_date", &f.DisappearanceDate}} {
		if v := get(d.name); v != "" {
			pd, err := person.ReadDate(v)
			if err != nil {
				bad[d.name] = c.T("form.baddate", v)
				continue
			}
			*d.to = pd
		}
	}
	if len(bad) > 0 {
		// Show every other problem too, not only the dates.
		f.Normalize()
		fieldErrors(c, f.Validate(time.Now()), bad)
	}
	return f, raw, bad
}

// fieldErrors turns an Invalid error's fields into messages by form field,
// in the user's language (fieldMessage).
func fieldErrors(c chrome, err error, into map[string]string) {
	for _, fe := range errs.Fields(err) {
		name := fe.Field
		if i := strings.IndexByte(name, '['); i >= 0 {
			name = name[:i]
		}
		if into[name] == "" {
			into[name] = fieldMessage(c, fe)
		}
	}
}

// formRefused is what a form posted and refused shows: each field's
// message (fieldErrors) and the line above the form — a Conflict's
// refusal in the user's language, else "the form has problems".
func formRefused(c chrome, err error) (fields map[string]string, message string) {
	fields = map[string]string{}
	fieldErrors(c, err, fields)
	if errs.Is(errs.Conflict, err) {
		return fields, refusalText(c, err)
	}
	return fields, c.T("form.invalid")
}

func (s *UI) handleNewRecordPage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	if err := access.Decide(sc, access.RecordCreate, access.Resource{Party: sc.Party, Kind: "held"}); err != nil {
		return err
	}
	v := recordFormView{chrome: s.chromeFor(r, "recordnew.title"), Action: "/records/new"}
	kind := person.Kind(r.URL.Query().Get("kind"))
	if !kind.Valid() {
		kind = person.Held
	}
	v.Fields = recordFormFields(v.chrome, person.Fields{Kind: kind, Category: person.Military}, nil, nil)
	s.render(w, r, http.StatusOK, "record_form.html", v)
	return nil
}

func (s *UI) handleNewRecordForm(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
	v := recordFormView{chrome: s.chromeFor(r, "recordnew.title"), Action: "/records/new"}
	f, raw, bad := parseRecordForm(v.chrome, r)
	if len(bad) == 0 {
		rec, err := s.db.CreateRecord(r.Context(), sc, sqlstore.NewRecord{Party: sc.Party, Fields: f, Source: "entered by hand (web)"})
		if err == nil {
			s.redirect(w, r, "/records/"+rec.ID)
			return nil
		}
		if !errs.Is(errs.Invalid, err) {
			return err
		}
		v.Message = formMessage(v.chrome, err)
		fieldErrors(v.chrome, err, bad)
	}
	if v.Message == "" {
		v.Message = v.T("form.invalid")
	}
	v.Fields = recordFormFields(v.chrome, f, raw, bad)
	s.render(w, r, http.StatusUnprocessableEntity, "record_form.html", v)
	return nil
}

func (s *UI) handleEditRecordPage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	rec, err := s.db.Record(r.Context(), sc, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := access.Decide(sc, access.RecordCorrect, access.Resource{Party: rec.Party, Kind: string(rec.Kind)}); err != nil {
		return err
	}
	v := recordFormView{chrome: s.chromeFor(r, "recordedit.title"), ID: rec.ID, BaseVersion: rec.Version, Action: "/records/" + rec.ID + "/edit"}
	v.Fields = recordFormFields(v.chrome, rec.Fields, nil, nil)
	s.render(w, r, http.StatusOK, "record_form.html", v)
	return nil
}

func (s *UI) handleEditRecordForm(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
	id := r.PathValue("id")
	base, _ := strconv.Atoi(r.PostFormValue("base_version"))
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	v := recordFormView{chrome: s.chromeFor(r, "recordedit.title"), ID: id, BaseVersion: base, Reason: reason, Action: "/records/" + id + "/edit"}
	f, raw, bad := parseRecordForm(v.chrome, r)
	if base < 1 {
		bad["base_version"] = v.T("form.required")
	}
	if reason == "" {
		bad["reason"] = v.T("form.reason")
	}
	status := http.StatusUnprocessableEntity
	if len(bad) == 0 {
		rec, err := s.db.CorrectRecord(r.Context(), sc, id, base, f, reason)
		if err == nil {
			s.redirect(w, r, "/records/"+rec.ID)
			return nil
		}
		switch {
		case errs.Is(errs.Invalid, err):
			fieldErrors(v.chrome, err, bad)
			v.Message = formMessage(v.chrome, err)
		case errs.Is(errs.Conflict, err):
			status = http.StatusConflict
			v.Message = v.T("form.conflict")
		default:
			return err
		}
	}
	if v.Message == "" {
		v.Message = v.T("form.invalid")
	}
	v.Fields = recordFormFields(v.chrome, f, raw, bad)
	s.render(w, r, status, "record_form.html", v)
	return nil
}
