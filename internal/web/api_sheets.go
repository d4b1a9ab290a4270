package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sheet"
	"github.com/handover-project/handover/internal/sqlstore"
)

func (s *Server) registerSheetRoutes() {
	s.add("POST", "/api/v1/imports", access.RecordCreate, "Import a list (XLSX or CSV, multipart upload) into a register: all or nothing, every problem reported by sheet, row and column.", s.handleImport)
	s.add("GET", "/api/v1/exports", access.RecordRead, "Export the records the caller may read as XLSX, CSV or JSON.", s.handleExport)
}

// SetSheetLimits sets the limits on imported files (size, rows, cell
// length, unpacked XLSX size); zero fields keep their defaults. The
// server starts with Config.SheetLimits.
func (s *Server) SetSheetLimits(l sheet.Limits) { s.sheetLim.Store(&l) }

func (s *Server) sheetLimits() sheet.Limits {
	if l := s.sheetLim.Load(); l != nil {
		return *l
	}
	return sheet.Limits{}
}

// importForm is the multipart form of an import.
type importForm struct {
	name, party, kind, category, duplicates, sheet, encoding string
	dryRun                                                   bool
	file, mapping                                            []byte
	hasFile                                                  bool
}

// readImportForm reads the multipart upload, bounded by the file-size limit.
func readImportForm(w http.ResponseWriter, r *http.Request, lim sheet.Limits) (importForm, error) {
	const op = "web.import"
	var f importForm
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return f, errs.E(op, errs.Invalid, "send the file as multipart/form-data with a part named file", errs.Coded{Code: "send_file"})
	}
	r.Body = http.MaxBytesReader(w, r.Body, lim.MaxFileBytes+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return f, errs.E(op, errs.Invalid, "the upload is not a readable multipart form", err)
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return f, uploadError(op, err, lim)
		}
		switch part.FormName() {
		case "file":
			f.name, f.hasFile = part.FileName(), true
			f.file, err = io.ReadAll(io.LimitReader(part, lim.MaxFileBytes+1))
			if err == nil && int64(len(f.file)) > lim.MaxFileBytes {
				return f, errs.E(op, errs.Invalid, fmt.Sprintf("the file is larger than the limit of %d bytes", lim.MaxFileBytes),
					errs.FieldError{Field: "file", Message: fmt.Sprintf("larger than %d bytes [%s]", lim.MaxFileBytes, sheet.CodeFileTooLarge), Where: f.name})
			}
		case "mapping":
			f.mapping, err = io.ReadAll(io.LimitReader(part, 1<<20))
		default:
			var b []byte
			b, err = io.ReadAll(io.LimitReader(part, 1024))
			v := strings.TrimSpace(string(b))
			switch part.FormName() {
			case "party":
				f.party = v
			case "kind":
				f.kind = v
			case "category":
				f.category = v
			case "duplicates":
				f.duplicates = v
			case "sheet":
				f.sheet = v
			case "encoding":
				f.encoding = v
			case "dry_run":
				f.dryRun = v == "true" || v == "1" || v == "yes"
			default:
				return f, errs.E(op, errs.Invalid, fmt.Sprintf("unknown form field %q", part.FormName()))
			}
		}
		if err != nil {
			return f, uploadError(op, err, lim)
		}
	}
	var bad []errs.FieldError
	if !f.hasFile {
		bad = append(bad, errs.FieldError{Field: "file", Message: "required: the XLSX or CSV file"})
	}
	if f.duplicates != "" && f.duplicates != "skip" && f.duplicates != "keep" {
		bad = append(bad, errs.FieldError{Field: "duplicates", Message: fmt.Sprintf("%q: use skip or keep", f.duplicates)})
	}
	if len(bad) > 0 {
		return f, errs.E(op, errs.Invalid, "the import request is incomplete", bad)
	}
	if f.name == "" {
		f.name = "upload"
	}
	return f, nil
}

func uploadError(op string, err error, lim sheet.Limits) error {
	var me *http.MaxBytesError
	if errors.As(err, &me) {
		return errs.E(op, errs.Invalid, fmt.Sprintf("the upload is larger than the limit of %d bytes", lim.MaxFileBytes),
			errs.FieldError{Field: "file", Message: fmt.Sprintf("larger than %d bytes [%s]", lim.MaxFileBytes, sheet.CodeFileTooLarge)})
	}
	return errs.E(op, errs.Invalid, "the upload was cut short or is malformed", err)
}

func (s *Server) handleImport(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	const op = "web.import"
	lim := s.importLimits()
	// Refuse a caller who may create no record at all before reading
	// the upload; the register is decided again below.
	if access.Decide(sc, access.RecordCreate, access.Resource{Party: sc.Party, Kind: string(person.Held)}) != nil &&
		access.Decide(sc, access.RecordCreate, access.Resource{Party: sc.Party, Kind: string(person.Sought)}) != nil {
		return errs.E(op, errs.Forbidden, fmt.Sprintf("a %s may not import records", sc.Role), errs.Coded{Code: "forbidden_role", Args: []string{string(sc.Role)}})
	}
	form, err := readImportForm(w, r, lim)
	if err != nil {
		return err
	}
	party := form.party
	if party == "" {
		party = sc.Party
	}
	kind := person.Kind(form.kind)
	if !kind.Valid() {
		return errs.E(op, errs.Invalid, "name the register", errs.FieldError{Field: "kind", Message: fmt.Sprintf("%q: use held or sought", form.kind)})
	}
	if err := access.Decide(sc, access.RecordCreate, access.Resource{Party: party, Kind: string(kind)}); err != nil {
		return errs.E(op, err)
	}
	opt := sheet.Options{Kind: kind, Category: person.Category(form.category), Sheet: form.sheet, Encoding: form.encoding, Limits: lim, Now: s.db.Now()}
	if len(form.mapping) > 0 {
		m, err := sheet.ParseMapping(form.mapping)
		if err != nil {
			return err
		}
		opt.Mapping = m
	}
	// From here the import is bounded in time, and stops when the client
	// leaves: the reading, the duplicate check and the store.
	ctx, cancel := context.WithTimeout(r.Context(), lim.MaxDuration)
	defer cancel()
	f, err := sheet.Read(ctx, form.name, form.file, opt)
	if err != nil {
		return err
	}
	if err := f.Err(); err != nil {
		return err
	}
	ix, err := s.registerIndex(ctx, sc, party, kind)
	if err != nil {
		return importStopped(ctx, form.name, lim, err)
	}
	f.Plan(ix, form.duplicates == "keep") // f.Rows: the rows to store
	f.Report.DryRun = form.dryRun
	if !form.dryRun && len(f.Rows) > 0 {
		nrs := make([]sqlstore.NewRecord, len(f.Rows))
		where := make([]rowPlace, len(f.Rows))
		for i := range f.Rows {
			row := &f.Rows[i]
			nrs[i] = sqlstore.NewRecord{Party: party, Fields: row.Fields, Source: f.Report.File, Ref: row.Ref}
			where[i] = rowPlace{row.Sheet, row.Row}
		}
		// Let the parsed rows and the upload go before the store makes its
		// own copy: 100,000 records are then held twice, not three times.
		f.Rows, form.file = nil, nil
		if _, err := s.db.CreateRecords(ctx, sc, nrs); err != nil {
			return importStopped(ctx, form.name, lim, rowErrors(err, where))
		}
		f.Report.Imported = len(nrs)
	}
	writeJSON(w, http.StatusOK, f.Report)
	return nil
}

// importStopped is err, or, when the import's context has ended (the time
// limit, or the client has left), the refusal that says so: a store
// interrupted midway has rolled back, and its error is no fault of ours.
func importStopped(ctx context.Context, name string, lim sheet.Limits, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return sheet.Stopped(name, lim, cerr)
	}
	return err
}

var recordN = regexp.MustCompile(`^record (\d+)$`)

// rowPlace is where a stored record came from in the file.
type rowPlace struct {
	sheet string
	row   int
}

// rowErrors turns the store's "record N" places into the file's rows.
func rowErrors(err error, rows []rowPlace) error {
	if !errs.Is(errs.Invalid, err) {
		return err
	}
	fes := errs.Fields(err)
	for i, fe := range fes {
		if m := recordN.FindStringSubmatch(fe.Where); m != nil {
			if n, _ := strconv.Atoi(m[1]); n >= 1 && n <= len(rows) {
				fes[i].Where = fmt.Sprintf("sheet %s, row %d", rows[n-1].sheet, rows[n-1].row)
			}
		} else if fe.Where == "" && len(rows) == 1 {
			fes[i].Where = fmt.Sprintf("sheet %s, row %d", rows[0].sheet, rows[0].row)
		}
	}
	return errs.E("web.import", errs.Invalid, errs.Message(err)+"; nothing was imported", fes)
}

func (s *Server) handleExport(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
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
	s.log.Info("export", "request_id", requestID(r.Context()), "records", n, "format", format, "duration_ms", time.Since(start).Milliseconds())
	return nil
}

// abortExport ends a response whose body has begun: the client sees a
// broken transfer, never a file that looks complete but is not.
func (s *Server) abortExport(r *http.Request, err error) {
	s.log.Error("export failed midway", "request_id", requestID(r.Context()), "err", err.Error())
	panic(http.ErrAbortHandler)
}

// registerIndex indexes the identity keys and file references of a
// register, read with the caller's scope, for the duplicate check of an
// import: the current versions, and every version of a corrected record
// (whose current version may have lost its file reference and the
// identity it was imported with).
func (s *Server) registerIndex(ctx context.Context, sc access.Scope, party string, kind person.Kind) (*sheet.Index, error) {
	ix := sheet.NewIndex()
	var corrected []string
	filter := sqlstore.RecordFilter{Party: party, Kind: kind, Limit: 1000}
	for {
		page, err := s.db.Records(ctx, sc, filter)
		if err != nil {
			return nil, err
		}
		for i := range page.Records {
			rec := &page.Records[i]
			ix.Add(rec.ID, &rec.Fields, rec.Provenance.SourceRef)
			if rec.Version > 1 {
				corrected = append(corrected, rec.ID)
			}
		}
		if page.Next == "" {
			break
		}
		filter.Cursor = page.Next
	}
	for _, id := range corrected {
		versions, err := s.db.RecordHistory(ctx, sc, id)
		if err != nil {
			return nil, err
		}
		for i := range versions {
			ix.Add(id, &versions[i].Fields, versions[i].Provenance.SourceRef)
		}
	}
	return ix, nil
}
