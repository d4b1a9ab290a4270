package api

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sheet"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/web/httpx"
)

func (s *API) registerSheetRoutes() {
	s.add("POST", "/api/v1/imports", access.RecordCreate, "Import a list (XLSX or CSV, multipart upload) into a register: all or nothing, every problem reported by sheet, row and column.", s.handleImport)
	s.add("GET", "/api/v1/exports", access.RecordRead, "Export the records the caller may read as XLSX, CSV or JSON.", s.handleExport)
}

func (s *API) handleImport(w http.ResponseWriter, r *http.Request, sc access.Scope) (err error) {
	const op = "web.import"
	defer func() {
		if err != nil {
			s.countImport(httpx.ImportOutcome(err), 0)
		}
	}()
	lim := s.importLimits()
	// Refuse a caller who may create no record at all before reading
	// the upload; the register is decided again below.
	if access.Decide(sc, access.RecordCreate, access.Resource{Party: sc.Party, Kind: string(person.Held)}) != nil &&
		access.Decide(sc, access.RecordCreate, access.Resource{Party: sc.Party, Kind: string(person.Sought)}) != nil {
		return errs.E(op, errs.Forbidden, fmt.Sprintf("a %s may not import records", sc.Role), errs.Coded{Code: "forbidden_role", Args: []string{string(sc.Role)}})
	}
	form, err := httpx.ReadImportForm(w, r, lim)
	if err != nil {
		return err
	}
	party := form.Party
	if party == "" {
		party = sc.Party
	}
	kind := person.Kind(form.Kind)
	if !kind.Valid() {
		return errs.E(op, errs.Invalid, "name the register", errs.FieldError{Field: "kind", Message: fmt.Sprintf("%q: use held or sought", form.Kind)})
	}
	if err := access.Decide(sc, access.RecordCreate, access.Resource{Party: party, Kind: string(kind)}); err != nil {
		return errs.E(op, err)
	}
	opt := sheet.Options{Kind: kind, Category: person.Category(form.Category), Sheet: form.Sheet, Encoding: form.Encoding, Limits: lim, Now: s.db.Now()}
	if len(form.Mapping) > 0 {
		m, err := sheet.ParseMapping(form.Mapping)
		if err != nil {
			return err
		}
		opt.Mapping = m
	}
	// From here the import is bounded in time, and stops when the client
	// leaves: the reading, the duplicate check and the store.
	ctx, cancel := context.WithTimeout(r.Context(), lim.MaxDuration)
	defer cancel()
	f, err := sheet.Read(ctx, form.Name, form.File, opt)
	if err != nil {
		return err
	}
	if err := f.Err(); err != nil {
		return err
	}
	ix, err := httpx.RegisterIndex(ctx, s.db, sc, party, kind)
	if err != nil {
		return httpx.ImportStopped(ctx, form.Name, lim, err)
	}
	f.Plan(ix, form.Duplicates == "keep") // f.Rows: the rows to store
	f.Report.DryRun = form.DryRun
	if !form.DryRun && len(f.Rows) > 0 {
		nrs := make([]sqlstore.NewRecord, len(f.Rows))
		where := make([]httpx.RowPlace, len(f.Rows))
		for i := range f.Rows {
			row := &f.Rows[i]
			nrs[i] = sqlstore.NewRecord{Party: party, Fields: row.Fields, Source: f.Report.File, Ref: row.Ref}
			where[i] = httpx.RowPlace{Sheet: row.Sheet, Row: row.Row}
		}
		// Let the parsed rows and the upload go before the store makes its
		// own copy: 100,000 records are then held twice, not three times.
		f.Rows, form.File = nil, nil
		if _, err := s.db.CreateRecords(ctx, sc, nrs); err != nil {
			return httpx.ImportStopped(ctx, form.Name, lim, httpx.RowErrors(err, where))
		}
		f.Report.Imported = len(nrs)
	}
	if form.DryRun {
		s.countImport("previewed", 0)
	} else {
		s.countImport("imported", f.Report.Imported)
	}
	httpx.WriteJSON(w, http.StatusOK, f.Report)
	return nil
}

func (s *API) handleExport(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	q := r.URL.Query()
	format, lang := q.Get("format"), q.Get("lang")
	if format == "" {
		format = "xlsx"
	}
	if lang == "" {
		lang = "uk"
	}
	if err := sheet.CheckExport(format, lang); err != nil {
		return err
	}
	filter := sqlstore.RecordFilter{Party: q.Get("party"), Kind: person.Kind(q.Get("kind")), Category: person.Category(q.Get("category")),
		Status: person.Status(q.Get("status")), Limit: 1000}
	// The first page is read before anything is sent, so that a refusal
	// is an ordinary error response.
	page, err := s.db.Records(r.Context(), sc, filter)
	if err != nil {
		return err
	}
	ctype, ext := sheet.ContentType(format)
	name := "handover"
	for _, p := range []string{filter.Party, string(filter.Kind), string(filter.Category), string(filter.Status)} {
		if p != "" {
			name += "-" + p
		}
	}
	name += "-" + s.db.Now().UTC().Format("20060102") + ext
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	wr, err := sheet.NewWriter(w, format, lang)
	if err != nil {
		return err
	}
	n := 0
	start := time.Now()
	for {
		for i := range page.Records {
			if err := wr.Write(&page.Records[i]); err != nil {
				s.abortExport(r, err)
			}
			n++
		}
		if page.Next == "" {
			break
		}
		filter.Cursor = page.Next
		if page, err = s.db.Records(r.Context(), sc, filter); err != nil {
			s.abortExport(r, err)
		}
	}
	if err := wr.Close(); err != nil {
		s.abortExport(r, err)
	}
	s.log.Info("export", "request_id", httpx.RequestID(r.Context()), "records", n, "format", format, "duration_ms", time.Since(start).Milliseconds())
	return nil
}

// abortExport ends a response whose body has begun: the client sees a
// broken transfer, never a file that looks complete but is not.
func (s *API) abortExport(r *http.Request, err error) {
	s.log.Error("export failed midway", "request_id", httpx.RequestID(r.Context()), "err", err.Error())
	panic(http.ErrAbortHandler)
}
