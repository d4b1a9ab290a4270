package api

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/casework"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/locale"
	"github.com/handover-project/handover/internal/sheet"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/web/httpx"
)

func (s *API) registerCaseRoutes() {
	s.add("GET", "/api/v1/cases", access.CaseRead, "The caller's tracing cases, overdue first, with what is due (filters state, assignee, overdue, shared); as JSON, or exported as CSV or XLSX (format=csv|xlsx, lang).", s.handleCases)
	s.add("POST", "/api/v1/cases", access.CaseWrite, "Open a tracing case on one of the bureau's sought records, with the first enquiry.", s.handleOpenCase)
	s.add("POST", "/api/v1/cases/import", access.CaseWrite, "Import the bureau's existing enquiries (XLSX or CSV, multipart upload): each opens the person's case or joins the open one; all or nothing.", s.handleImportEnquiries)
	s.add("GET", "/api/v1/cases/{id}", access.CaseRead, "One tracing case: its steps, tasks, what is due, and the person's trace for the owning bureau.", s.handleCase)
	s.add("POST", "/api/v1/cases/{id}/steps", access.CaseWrite, "Add a step to a case: enquiry, contact, task, task_done, notified; for the owning bureau also shared, closed, reopened.", s.handleCaseStep)
}

// APICase is the wire form of a case as the store gives it.
func APICase(v sqlstore.CaseView) api.Case {
	c := api.Case{ID: v.Case.ID, Party: v.Case.Party, Record: v.Case.Record, State: v.Case.State, Shared: v.Case.Shared,
		Person: api.CasePerson{Name: v.Person.Fields.DisplayName(), BirthDate: v.Person.Fields.BirthDate, ServiceNumber: v.Person.Fields.ServiceNumber},
		Steps:  v.Case.Steps, Tasks: v.Case.Tasks(), Due: v.Due}
	if c.Tasks == nil {
		c.Tasks = []casework.TaskState{}
	}
	if v.Trace != nil {
		c.Trace = &v.Trace.Trace
	}
	return c
}

// caseFilter reads the worklist's filters from the query.
func caseFilter(r *http.Request) (casework.Filter, error) {
	const op = "web.cases"
	q := r.URL.Query()
	f := casework.Filter{State: casework.State(q.Get("state")), Assignee: q.Get("assignee")}
	if f.State != "" && f.State != casework.Open && f.State != casework.Closed {
		return f, errs.E(op, errs.Invalid, errs.FieldError{Field: "state", Message: "open or closed", Args: []string{string(f.State)}, Code: "bad_status"})
	}
	for _, b := range []struct {
		name string
		set  func(bool)
	}{{"overdue", func(v bool) { f.Overdue = v }}, {"shared", func(v bool) { f.Shared = &v }}} {
		if v := q.Get(b.name); v != "" {
			x, err := strconv.ParseBool(v)
			if err != nil {
				return f, errs.E(op, errs.Invalid, errs.FieldError{Field: b.name, Message: "true or false", Code: "bad_status", Args: []string{v}})
			}
			b.set(x)
		}
	}
	return f, nil
}

func (s *API) handleCases(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	f, err := caseFilter(r)
	if err != nil {
		return err
	}
	views, err := s.db.Cases(r.Context(), sc, f, casework.Today(s.db.Now()))
	if err != nil {
		return err
	}
	q := r.URL.Query()
	switch format := q.Get("format"); format {
	case "", "json":
		httpx.WriteJSON(w, http.StatusOK, api.Cases{Cases: each(views, APICase)})
		return nil
	case "csv", "xlsx":
		lang := q.Get("lang")
		if lang == "" {
			lang = "uk"
		}
		if err := sheet.CheckExport(format, lang); err != nil {
			return err
		}
		var buf bytes.Buffer
		header, rows := CaseTable(lang, views)
		if err := sheet.WriteTable(&buf, format, lang, locale.T(lang, "cases.title"), header, rows); err != nil {
			return errs.E("web.cases", errs.Internal, err)
		}
		ctype, ext := sheet.ContentType(format)
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "cases" + ext}))
		_, err := w.Write(buf.Bytes())
		return err
	default:
		return errs.E("web.cases", errs.Invalid, errs.FieldError{Field: "format", Message: "json, csv or xlsx", Args: []string{format}, Code: "bad_status"})
	}
}

// CaseTable is the export of a worklist: one row per case, headers and
// values in lang. How to reach an enquirer and what was said stay out of
// it: they are read on the case.
func CaseTable(lang string, views []sqlstore.CaseView) ([]string, [][]string) {
	keys := []string{"cases.col.id", "cases.col.record", "cases.col.person", "cases.col.state", "cases.col.shared", "cases.col.opened",
		"cases.col.enquirer", "cases.col.relationship", "cases.col.enquiries", "cases.col.contacts", "cases.col.last_contact",
		"cases.col.open_tasks", "cases.col.next_due", "cases.col.overdue", "cases.col.notified", "cases.col.closed"}
	header := make([]string, len(keys))
	for i, k := range keys {
		header[i] = locale.T(lang, k)
	}
	yes := func(b bool) string {
		if b {
			return locale.T(lang, "cases.yes")
		}
		return locale.T(lang, "cases.no")
	}
	var rows [][]string
	for _, v := range views {
		c := v.Case
		var enquirer, rel, lastContact, nextDue, notified, closed string
		enq := c.Of(casework.KindEnquiry)
		if len(enq) > 0 {
			e := enq[0].Enquiry
			enquirer, rel = e.Name, locale.T(lang, "case.rel."+string(e.Relationship))
		}
		contacts := c.Of(casework.KindContact)
		if len(contacts) > 0 {
			d := contacts[len(contacts)-1].Contact.Date
			lastContact = locale.Day(lang, d.Year, d.Month, d.Day)
		}
		open := 0
		for _, t := range c.Tasks() {
			if t.Done == 0 {
				open++
			}
		}
		for _, d := range v.Due {
			if !d.Date.IsZero() {
				nextDue = locale.Day(lang, d.Date.Year, d.Date.Month, d.Date.Day)
				break
			}
		}
		var news []string
		for _, st := range c.Of(casework.KindNotified) {
			news = append(news, locale.T(lang, "case.news."+string(st.Notice.News)))
		}
		notified = strings.Join(news, ", ")
		if cl := c.Closing(); cl != nil {
			closed = locale.T(lang, "case.reason."+string(cl.Reason))
		}
		overdue := len(v.Due) > 0 && v.Due[0].Overdue
		rows = append(rows, []string{c.ID, c.Record, v.Person.Fields.DisplayName(), locale.T(lang, "case.state."+string(c.State)), yes(c.Shared),
			locale.DateTime(lang, c.Opened()), enquirer, rel, strconv.Itoa(len(enq)), strconv.Itoa(len(contacts)), lastContact,
			strconv.Itoa(open), nextDue, yes(overdue), notified, closed})
	}
	return header, rows
}

func (s *API) handleOpenCase(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	var in api.OpenCaseRequest
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.Record) == "" {
		return errs.E("web.openCase", errs.Invalid, errs.FieldError{Field: "record", Message: "required", Code: "required"})
	}
	c, err := s.db.OpenCase(r.Context(), sc, in.Record, in.Enquiry)
	if err != nil {
		return err
	}
	return s.writeCase(w, r, sc, c.ID, http.StatusCreated)
}

func (s *API) writeCase(w http.ResponseWriter, r *http.Request, sc access.Scope, id string, status int) error {
	v, err := s.db.Case(r.Context(), sc, id, casework.Today(s.db.Now()))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, status, APICase(v))
	return nil
}

func (s *API) handleCase(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	return s.writeCase(w, r, sc, r.PathValue("id"), http.StatusOK)
}

func (s *API) handleCaseStep(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	var in api.CaseStepRequest
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if _, err := s.db.AddCaseStep(r.Context(), sc, r.PathValue("id"), in.Step()); err != nil {
		return err
	}
	return s.writeCase(w, r, sc, r.PathValue("id"), http.StatusCreated)
}

func (s *API) handleImportEnquiries(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	const op = "web.importEnquiries"
	if access.Decide(sc, access.CaseWrite, access.Resource{Party: sc.Party}) != nil || sc.Party == "" {
		return errs.E(op, errs.Forbidden, fmt.Sprintf("a %s may not import enquiries", sc.Role))
	}
	lim := s.importLimits()
	form, err := httpx.ReadImportForm(w, r, lim)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.Context(), lim.MaxDuration)
	defer cancel()
	res, err := ImportEnquiries(ctx, s.db, sc, form.Name, form.File, sheet.Options{Sheet: form.Sheet, Encoding: form.Encoding, Limits: lim})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, api.CaseImport{Opened: res.Opened, Added: res.Added})
	return nil
}

// ImportEnquiries reads a file of enquiries with the sheet reader and
// stores them all or nothing: the one path of the API and the page.
func ImportEnquiries(ctx context.Context, db *sqlstore.DB, sc access.Scope, name string, data []byte, opt sheet.Options) (sqlstore.ImportResult, error) {
	rows, err := sheet.ReadEnquiries(ctx, name, data, opt)
	if err != nil {
		return sqlstore.ImportResult{}, err
	}
	in := make([]sqlstore.EnquiryImport, len(rows))
	for i, row := range rows {
		in[i] = sqlstore.EnquiryImport{Record: row.Record, Enquiry: row.Enquiry, Where: row.Enquiry.Source}
	}
	return db.ImportEnquiries(ctx, sc, in)
}
