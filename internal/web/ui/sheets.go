package ui

// The import and export pages. An import is two steps: the upload runs a
// dry run (sheet.Read, the register's duplicates, nothing stored) and shows
// a preview with every row error in the user's language; the preview's
// confirm button imports exactly the bytes previewed, which the server
// keeps meanwhile in the database, sealed, bound to the user and the
// session (uploadStore). A file with errors cannot be confirmed: the user
// fixes the file and uploads it again. The export page is a form in front
// of the API's export.

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/locale"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sheet"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/web/httpx"
)

func (s *UI) registerUISheetRoutes() {
	s.page("GET", "/import", access.RecordCreate, "The import form: register, file, encoding, duplicates, mapping.", s.handleImportPage)
	s.page("POST", "/import", access.RecordCreate, "Upload a list: a dry run, previewed with every row error in the user's language.", s.handleImportUpload)
	s.page("POST", "/import/confirm", access.RecordCreate, "Import exactly the previewed file, when it has no errors.", s.handleImportConfirm)
	s.page("GET", "/import/{id}/errors.csv", access.RecordCreate, "Every error of a previewed file, as CSV in the user's language.", s.handleImportErrors)
	s.page("GET", "/export", access.RecordRead, "The export form: register, format, language of the headers, filters.", s.handleExportPage)
	s.page("GET", "/export/file", access.RecordRead, "Download a register as XLSX, CSV or JSON.", s.handleExportFile)
	s.page("GET", "/tracing-export/file", access.TracingExport, "Download a party's held register for the Central Tracing Agency (CSV, XLSX or JSON), flagged records included; logged.", s.handleTracingFile)
}

// What the preview shows of a file: the first rows to be stored, the first
// errors and duplicates (all errors are in the CSV download).
const (
	previewRows     = 20
	previewProblems = 100
	previewDups     = 50
)

// The upload store's bounds: an upload is held for uploadTTL (the session's
// idle limit), a user has at most uploadsPerUser at once (a new one drops
// their oldest), and the server holds at most uploadMaxBytes of them.
const (
	uploadTTL      = 30 * time.Minute
	uploadsPerUser = 3
	uploadMaxBytes = 256 << 20
)

// heldUpload is a previewed file kept for its confirmation: the bytes and
// every choice it was read with, so that the import reads it exactly as
// the preview did.
type heldUpload struct {
	id       string
	user     int64
	session  [32]byte // SHA-256 of the session cookie
	party    string
	kind     person.Kind
	category string
	sheet    string
	encoding string
	keep     bool
	name     string
	data     []byte
	mapping  []byte
	sha      string // of data, as the report gives it
	problems int    // problems the preview found
	expires  time.Time
}

func (h *heldUpload) size() int64 { return int64(len(h.data) + len(h.mapping) + 512) }

// heldBody is a heldUpload as the database holds it (sealed).
type heldBody struct {
	Party    string      `json:"party"`
	Kind     person.Kind `json:"kind"`
	Category string      `json:"category,omitempty"`
	Sheet    string      `json:"sheet,omitempty"`
	Encoding string      `json:"encoding,omitempty"`
	Keep     bool        `json:"keep,omitempty"`
	Name     string      `json:"name"`
	Data     []byte      `json:"data"`
	Mapping  []byte      `json:"mapping,omitempty"`
	SHA      string      `json:"sha256"`
	Problems int         `json:"problems"`
}

// uploadStore holds previewed uploads in the database (held_uploads,
// sqlstore.HoldUpload), sealed with the data key like the sensitive
// fields an upload may hold (health, next of kin), so that the
// confirmation may reach any server process on the database
// (docs/operations.md, "Several servers"). An upload is needed for
// minutes; an expired one is dropped by the next.
type uploadStore struct {
	db      *sqlstore.DB
	max     int64
	ttl     time.Duration
	perUser int
	now     func() time.Time
}

func newUploadStore(db *sqlstore.DB) *uploadStore {
	return &uploadStore{db: db, max: uploadMaxBytes, ttl: uploadTTL, perUser: uploadsPerUser, now: time.Now}
}

// put keeps u under a new random id, which it sets.
func (st *uploadStore) put(ctx context.Context, u *heldUpload) error {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return errs.E("web.import", errs.Internal, "no randomness for an upload id", err)
	}
	now := st.now()
	u.id = hex.EncodeToString(b[:])
	u.expires = now.Add(st.ttl)
	body, err := json.Marshal(heldBody{Party: u.party, Kind: u.kind, Category: u.category, Sheet: u.sheet, Encoding: u.encoding, Keep: u.keep,
		Name: u.name, Data: u.data, Mapping: u.mapping, SHA: u.sha, Problems: u.problems})
	if err != nil {
		return errs.E("web.import", errs.Internal, err)
	}
	return st.db.HoldUpload(ctx, sqlstore.HeldUpload{ID: u.id, User: u.user, Session: u.session, Size: u.size(), Expires: u.expires, Body: body},
		sqlstore.UploadBounds{PerUser: st.perUser, MaxBytes: st.max}, now)
}

// get returns the upload id of this user and session, if it is still held.
func (st *uploadStore) get(ctx context.Context, id string, user int64, session [32]byte) (*heldUpload, bool, error) {
	body, ok, err := st.db.UploadHeld(ctx, id, user, session, st.now())
	return heldOf(id, user, session, body, ok, err)
}

// take removes and returns the upload: only one confirmation can have it.
func (st *uploadStore) take(ctx context.Context, id string, user int64, session [32]byte) (*heldUpload, bool, error) {
	body, ok, err := st.db.TakeUpload(ctx, id, user, session, st.now())
	return heldOf(id, user, session, body, ok, err)
}

func heldOf(id string, user int64, session [32]byte, body []byte, ok bool, err error) (*heldUpload, bool, error) {
	if err != nil || !ok {
		return nil, false, err
	}
	var b heldBody
	if err := json.Unmarshal(body, &b); err != nil {
		return nil, false, errs.E("web.import", errs.Internal, "a held upload does not read", err)
	}
	return &heldUpload{id: id, user: user, session: session, party: b.Party, kind: b.Kind, category: b.Category, sheet: b.Sheet, encoding: b.Encoding,
		keep: b.Keep, name: b.Name, data: b.Data, mapping: b.Mapping, sha: b.SHA, problems: b.Problems}, true, nil
}

// sessionKey binds an upload to the browser session that made it.
func sessionKey(r *http.Request) [32]byte { return sha256.Sum256([]byte(uiState(r).Secret)) }

// sheetsNav is where the navigation's "Import and export" leads: the
// import for those who may import, else (and on the export page) the
// export.
func sheetsNav(r *http.Request, sc access.Scope) string {
	if strings.HasPrefix(r.URL.Path, "/export") || !mayImport(sc) {
		return "/export"
	}
	return "/import"
}

// mayImport says whether sc may create records in some register: asked
// before an upload is read.
func mayImport(sc access.Scope) bool {
	return access.Decide(sc, access.RecordCreate, access.Resource{Party: sc.Party, Kind: string(person.Held)}) == nil ||
		access.Decide(sc, access.RecordCreate, access.Resource{Party: sc.Party, Kind: string(person.Sought)}) == nil
}

func importRefused(sc access.Scope) error {
	return errs.E("web.import", errs.Forbidden, fmt.Sprintf("a %s may not import records", sc.Role), errs.Coded{Code: "forbidden_role", Args: []string{string(sc.Role)}})
}

// importView is the import form and, after an upload, its preview.
type importView struct {
	chrome
	Party      string
	Kind       string
	Encoding   string
	Duplicates string
	Category   string
	Sheet      string
	Categories []person.Category
	Encodings  []string
	// FileDetail is the English detail of a whole-file refusal, shown
	// under its translation.
	FileDetail    string
	MappingDetail string
	// Refusals are the store's refusal of an import, by row.
	Refusals []string
	Preview  *importPreview
}

// importPreview is what a dry run found.
type importPreview struct {
	ID, SHA, File, Format, Encoding, Separator, Sheet string
	Party, Kind                                       string
	HeaderRow                                         int
	Columns                                           []sheet.ColumnInfo
	Rows, Persons, ProblemRows, ProblemCount          int
	Problems                                          []problemRow
	New, Skipped, Kept                                int
	Duplicates                                        []dupRow
	DupCount                                          int
	Sample                                            []sampleRow
	CanConfirm                                        bool
}

// problemRow is one error of a file in the user's language.
type problemRow struct {
	Sheet                 string
	Row                   int
	Column, Field, Value  string
	Message, Detail, Code string
}

type dupRow struct {
	Row              int
	Message, Of, Ref string // Ref: a record id to link to
	Person, OfPerson string // the two persons, as read
	Kept             bool
}

// sampleRow is a row as it will be stored.
type sampleRow struct {
	Row                                                    int
	Name, Category, Status, Sex, ServiceNumber, Unit, Rank string
	BirthDate                                              person.Date
}

func (s *UI) newImportView(r *http.Request, sc access.Scope) importView {
	return importView{chrome: s.chromeFor(r, "import.title"), Party: sc.Party, Kind: string(person.Held), Duplicates: "skip",
		Categories: person.Categories, Encodings: []string{"", "utf-8", "cp1251", "koi8-r", "koi8-u"}}
}

func (s *UI) handleImportPage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	if !mayImport(sc) {
		return importRefused(sc)
	}
	v := s.newImportView(r, sc)
	if k := r.URL.Query().Get("kind"); person.Kind(k).Valid() {
		v.Kind = k
	}
	s.render(w, r, http.StatusOK, "import.html", v)
	return nil
}

func (s *UI) handleImportUpload(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	if !mayImport(sc) {
		return importRefused(sc)
	}
	v := s.newImportView(r, sc)
	v.Fields = map[string]string{}
	form, err := httpx.ReadImportForm(w, r, s.importLimits())
	if form.Kind != "" {
		v.Kind = form.Kind
	}
	if form.Duplicates != "" {
		v.Duplicates = form.Duplicates
	}
	v.Encoding, v.Category, v.Sheet = form.Encoding, form.Category, form.Sheet
	if v.Encoding == "auto" {
		v.Encoding = ""
	}
	if err != nil {
		return s.importFormError(w, r, &v, err)
	}
	party := form.Party
	if party == "" {
		party = sc.Party
	}
	kind := person.Kind(form.Kind)
	if !kind.Valid() {
		v.Fields["kind"] = v.T("import.badkind")
	}
	if len(form.File) == 0 {
		v.Fields["file"] = v.T("import.nofile")
	}
	if len(v.Fields) > 0 {
		return s.importFormError(w, r, &v, nil)
	}
	if err := access.Decide(sc, access.RecordCreate, access.Resource{Party: party, Kind: string(kind)}); err != nil {
		return err
	}
	h := &heldUpload{user: sc.UserID, session: sessionKey(r), party: party, kind: kind, category: form.Category, sheet: form.Sheet,
		encoding: v.Encoding, keep: form.Duplicates == "keep", name: path.Base(form.Name), data: form.File, mapping: form.Mapping}
	lim := s.importLimits()
	ctx, cancel := context.WithTimeout(r.Context(), lim.MaxDuration)
	defer cancel()
	f, err := s.readHeld(ctx, h)
	if err != nil {
		return s.importFormError(w, r, &v, err)
	}
	ix, err := httpx.RegisterIndex(ctx, s.db, sc, party, kind)
	if err != nil {
		return s.importFormError(w, r, &v, httpx.ImportStopped(ctx, h.name, lim, err))
	}
	f.Plan(ix, h.keep)
	h.sha, h.problems = f.Report.SHA256, len(f.Report.Problems)
	if err := s.uploads.put(r.Context(), h); err != nil {
		return err
	}
	v.Preview = previewOf(v.chrome, h, f)
	s.countImport("previewed", 0)
	status := http.StatusOK
	if h.problems > 0 {
		status = http.StatusUnprocessableEntity
		v.Message = v.T("import.haserrors")
	}
	s.render(w, r, status, "import.html", v)
	return nil
}

// readHeld reads a held upload with the choices it was made with.
func (s *UI) readHeld(ctx context.Context, h *heldUpload) (*sheet.File, error) {
	opt := sheet.Options{Kind: h.kind, Category: person.Category(h.category), Sheet: h.sheet, Encoding: h.encoding,
		Limits: s.importLimits(), Now: s.db.Now()}
	if len(h.mapping) > 0 {
		m, err := sheet.ParseMapping(h.mapping)
		if err != nil {
			return nil, err
		}
		opt.Mapping = m
	}
	return sheet.Read(ctx, h.name, h.data, opt)
}

// importFormError shows the form again (422) with a refusal of the upload
// by field: whole-file problems (sheet codes) translated, the English
// detail kept under them.
func (s *UI) importFormError(w http.ResponseWriter, r *http.Request, v *importView, err error) error {
	if err != nil {
		if !errs.Is(errs.Invalid, err) {
			return err
		}
		for _, fe := range errs.Fields(err) {
			reason, code := sheet.SplitCode(fe.Message)
			field := fe.Field
			if field != "kind" && field != "duplicates" && field != "category" {
				field = "file"
			}
			if code == sheet.CodeMapping || fe.Where == "mapping" {
				field = "mapping"
			}
			msg := reason
			if code != "" {
				msg = v.T("sheet." + code)
			} else if field == "file" && strings.HasPrefix(reason, "required") {
				msg = v.T("import.nofile")
			}
			if v.Fields[field] != "" {
				continue
			}
			v.Fields[field] = msg
			if code != "" {
				switch field {
				case "file":
					v.FileDetail = reason
				case "mapping":
					v.MappingDetail = reason
				}
			}
		}
		if len(v.Fields) == 0 {
			v.Fields["file"] = refusalText(v.chrome, err)
		}
	}
	v.Message = v.T("form.invalid")
	s.render(w, r, http.StatusUnprocessableEntity, "import.html", *v)
	return nil
}

// problemMessage is a file's problem in the user's language, from its
// code (and, for an unknown value, the field it was meant for).
func problemMessage(c chrome, p sheet.Problem) string {
	if p.Code == sheet.CodeValueUnknown {
		switch p.Field {
		case "category", "status", "sex":
			return c.T("sheet.value_unknown." + p.Field)
		case "identity_not_established", "detrimental":
			return c.T("sheet.value_unknown.bool")
		}
	}
	if locale.Has("sheet." + p.Code) {
		return c.T("sheet." + p.Code)
	}
	return p.Reason
}

// problemRowOf translates one problem: by its code, and for the record's
// own checks by their code (Problem.Detail); Detail keeps the English
// reason when only a general translation exists.
func problemRowOf(c chrome, p sheet.Problem) problemRow {
	pr := problemRow{Sheet: p.Sheet, Row: p.Row, Column: p.Column, Value: p.Value, Code: p.Code, Message: problemMessage(c, p)}
	if p.Field != "" {
		pr.Field = c.T("field." + p.Field)
		if !locale.Has("field." + p.Field) {
			pr.Field = p.Field
		}
	}
	if p.Code == sheet.CodeInvalidField {
		// The record's own check, translated from its code when the
		// catalog has it; else its English reason beside the general text.
		if p.Detail != "" && locale.Has("problem."+p.Detail) {
			pr.Message = fieldMessage(c, errs.FieldError{Code: p.Detail, Args: p.Args, Message: p.Reason})
		} else {
			pr.Detail = p.Reason
		}
	}
	return pr
}

func previewOf(c chrome, h *heldUpload, f *sheet.File) *importPreview {
	rep := &f.Report
	p := &importPreview{ID: h.id, SHA: rep.SHA256, File: rep.File, Format: strings.ToUpper(rep.Format), Encoding: rep.Encoding, Separator: rep.Separator,
		Sheet: rep.Sheet, Party: h.party, Kind: string(h.kind), HeaderRow: rep.HeaderRow, Columns: rep.Columns, Rows: rep.Rows,
		Persons: rep.Persons, ProblemCount: len(rep.Problems), New: len(f.Rows), Skipped: rep.Skipped, DupCount: len(rep.Duplicates)}
	rows := map[int]bool{}
	for i, pr := range rep.Problems {
		rows[pr.Row] = true
		if i < previewProblems {
			p.Problems = append(p.Problems, problemRowOf(c, pr))
		}
	}
	p.ProblemRows = len(rows)
	for i, d := range rep.Duplicates {
		if d.Action == "keep" {
			p.Kept++
		}
		if i >= previewDups {
			continue
		}
		dr := dupRow{Row: d.Row, Message: c.T("sheet." + d.Code), Of: d.Of, Person: d.Person, OfPerson: d.OfPerson, Kept: d.Action == "keep"}
		if n, ok := strings.CutPrefix(d.Of, "row "); ok {
			dr.Of = c.T("import.ofrow", n)
		} else {
			dr.Ref = d.Of
		}
		p.Duplicates = append(p.Duplicates, dr)
	}
	for i := range f.Rows {
		if i == previewRows {
			break
		}
		p.Sample = append(p.Sample, sampleOf(f.Rows[i].Row, &f.Rows[i].Fields))
	}
	p.CanConfirm = p.ProblemCount == 0 && p.New > 0
	return p
}

func sampleOf(row int, f *person.Fields) sampleRow {
	return sampleRow{Row: row, Name: f.DisplayName(), Category: string(f.Category), Status: string(f.Status), Sex: string(f.Sex),
		ServiceNumber: f.ServiceNumber, Unit: f.Unit, Rank: f.Rank, BirthDate: f.BirthDate}
}

// importDoneView says what an import stored.
type importDoneView struct {
	chrome
	File      string
	Party     string
	Kind      string
	Imported  int
	Skipped   int
	Records   []recordRow
	More      int
	Register  string
	ImportURL string
}

func (s *UI) handleImportConfirm(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	if !mayImport(sc) {
		return importRefused(sc)
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	id, sha := r.PostFormValue("upload"), r.PostFormValue("sha256")
	st, key := s.uploads, sessionKey(r)
	v := s.newImportView(r, sc)
	h, ok, err := st.get(r.Context(), id, sc.UserID, key)
	if err != nil {
		return err
	}
	if !ok {
		v.Message = v.T("import.gone")
		s.render(w, r, http.StatusNotFound, "import.html", v)
		return nil
	}
	v.Kind, v.Party, v.Category, v.Sheet, v.Encoding = string(h.kind), h.party, h.category, h.sheet, h.encoding
	if h.keep {
		v.Duplicates = "keep"
	}
	if err := access.Decide(sc, access.RecordCreate, access.Resource{Party: h.party, Kind: string(h.kind)}); err != nil {
		return err
	}
	if sha != h.sha {
		v.Message = v.T("import.changed")
		s.render(w, r, http.StatusConflict, "import.html", v)
		return nil
	}
	if h.problems > 0 {
		v.Message = v.T("import.haserrors")
		s.render(w, r, http.StatusUnprocessableEntity, "import.html", v)
		return nil
	}
	if h, ok, err = st.take(r.Context(), id, sc.UserID, key); err != nil {
		return err
	} else if !ok {
		v.Message = v.T("import.gone")
		s.render(w, r, http.StatusNotFound, "import.html", v)
		return nil
	}
	lim := s.importLimits()
	ctx, cancel := context.WithTimeout(r.Context(), lim.MaxDuration)
	defer cancel()
	f, err := s.readHeld(ctx, h)
	if err == nil {
		err = f.Err()
	}
	if err != nil && ctx.Err() != nil {
		return s.importFormError(w, r, &v, httpx.ImportStopped(ctx, h.name, lim, err))
	}
	if err != nil || f.Report.SHA256 != sha {
		// The same bytes read the same way: this is not the user's doing.
		return errs.E("web.import", errs.Internal, "a held upload no longer reads as it did", err)
	}
	ix, err := httpx.RegisterIndex(ctx, s.db, sc, h.party, h.kind)
	if err != nil {
		return s.importFormError(w, r, &v, httpx.ImportStopped(ctx, h.name, lim, err))
	}
	f.Plan(ix, h.keep)
	done := importDoneView{chrome: s.chromeFor(r, "importdone.title"), File: f.Report.File, Party: h.party, Kind: string(h.kind),
		Skipped: f.Report.Skipped, ImportURL: "/import?kind=" + string(h.kind)}
	done.Register = "/records?party=" + h.party + "&kind=" + string(h.kind)
	if len(f.Rows) > 0 {
		nrs := make([]sqlstore.NewRecord, len(f.Rows))
		where := make([]httpx.RowPlace, len(f.Rows))
		for i := range f.Rows {
			row := &f.Rows[i]
			nrs[i] = sqlstore.NewRecord{Party: h.party, Fields: row.Fields, Source: f.Report.File, Ref: row.Ref}
			where[i] = httpx.RowPlace{Sheet: row.Sheet, Row: row.Row}
		}
		f.Rows, h.data = nil, nil
		recs, err := s.db.CreateRecords(ctx, sc, nrs)
		if err != nil {
			err = httpx.ImportStopped(ctx, h.name, lim, httpx.RowErrors(err, where))
			s.countImport(httpx.ImportOutcome(err), 0)
			if !errs.Is(errs.Invalid, err) {
				return err
			}
			v.Message = v.T("import.storerefused") + " " + refusalText(v.chrome, err)
			for _, fe := range errs.Fields(err) {
				v.Refusals = append(v.Refusals, fe.String())
			}
			s.render(w, r, http.StatusUnprocessableEntity, "import.html", v)
			return nil
		}
		done.Imported = len(recs)
		for i, rec := range recs {
			if i == previewRows {
				done.More = len(recs) - i
				break
			}
			done.Records = append(done.Records, rowOf(rec))
		}
	}
	s.countImport("imported", done.Imported)
	// The file by its hash, not its name: a registrar may have named it
	// after the person in it (no log line names a person).
	s.log.Info("import", "request_id", httpx.RequestID(r.Context()), "sha256", f.Report.SHA256, "party", h.party, "kind", string(h.kind),
		"imported", done.Imported, "skipped", done.Skipped)
	s.render(w, r, http.StatusOK, "import_done.html", done)
	return nil
}

// handleImportErrors sends every problem of a previewed file as CSV in
// the user's language (UTF-8 with BOM; ';' for uk and ru, as Excel there
// expects), reading the held bytes again: a file with 100,000 bad rows is
// not kept twice.
func (s *UI) handleImportErrors(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	if !mayImport(sc) {
		return importRefused(sc)
	}
	h, ok, err := s.uploads.get(r.Context(), r.PathValue("id"), sc.UserID, sessionKey(r))
	if err != nil {
		return err
	}
	if !ok {
		return errs.E("web.import", errs.NotFound, "this upload is no longer held: upload the file again", errs.Coded{Code: "upload_gone"})
	}
	if err := access.Decide(sc, access.RecordCreate, access.Resource{Party: h.party, Kind: string(h.kind)}); err != nil {
		return err
	}
	lim := s.importLimits()
	ctx, cancel := context.WithTimeout(r.Context(), lim.MaxDuration)
	defer cancel()
	f, err := s.readHeld(ctx, h)
	if err != nil {
		return err
	}
	c := s.chromeFor(r, "import.title")
	name := strings.TrimSuffix(h.name, path.Ext(h.name)) + "-errors.csv"
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Write([]byte("\ufeff"))
	cw := csv.NewWriter(w)
	if c.lang() != "en" {
		cw.Comma = ';'
	}
	cw.UseCRLF = true
	cw.Write([]string{c.T("import.col.sheet"), c.T("import.col.row"), c.T("import.col.column"), c.T("import.col.field"),
		c.T("import.col.value"), c.T("import.col.problem"), c.T("import.col.code"), c.T("import.col.detail")})
	for _, p := range f.Report.Problems {
		pr := problemRowOf(c, p)
		row := ""
		if p.Row > 0 {
			row = strconv.Itoa(p.Row)
		}
		cw.Write([]string{sheet.Neutralise(p.Sheet), row, sheet.Neutralise(p.Column), pr.Field, sheet.Neutralise(p.Value),
			pr.Message, p.Code, sheet.Neutralise(p.Reason)})
	}
	cw.Flush()
	return nil
}

// exportView is the export form.
type exportView struct {
	chrome
	Parties    []string
	Party      string
	Kind       string
	Format     string
	HeadLang   string
	Category   string
	Status     string
	Categories []person.Category
	Statuses   []person.Status
	Formats    []string
	Langs      []string
	CanImport  bool
	// Tracing are the parties whose held register the user may export
	// for the Central Tracing Agency, with their latest exports.
	Tracing        []tracingParty
	TracingFormats []string
}

// tracingParty is a party the export page offers for the Central Tracing
// Agency, and its latest logged exports.
type tracingParty struct {
	Party   string
	Exports []sqlstore.TracingExport
}

// exportForm reads the export choices from the query, with defaults.
func (s *UI) exportForm(r *http.Request, sc access.Scope) (exportView, error) {
	q := r.URL.Query()
	v := exportView{chrome: s.chromeFor(r, "export.title"), Party: q.Get("party"), Kind: q.Get("kind"), Format: q.Get("format"),
		HeadLang: q.Get("lang"), Category: q.Get("category"), Status: q.Get("status"),
		Categories: person.Categories, Statuses: person.Statuses, Formats: sheet.Formats, Langs: sheet.Languages, CanImport: mayImport(sc)}
	all, err := s.db.Parties(r.Context())
	if err != nil {
		return v, err
	}
	for _, p := range all {
		if len(access.Readable(sc, "", []string{p.Code})) > 0 {
			v.Parties = append(v.Parties, p.Code)
		}
	}
	v.TracingFormats = sheet.TracingFormats
	for _, p := range all {
		if access.Decide(sc, access.TracingExport, access.Resource{Party: p.Code, Kind: string(person.Held)}) != nil {
			continue
		}
		list, err := s.db.TracingExports(r.Context(), sc, p.Code)
		if err != nil {
			return v, err
		}
		v.Tracing = append(v.Tracing, tracingParty{Party: p.Code, Exports: list[:min(len(list), 5)]})
	}
	if len(v.Parties) == 0 {
		return v, errs.E("web.export", errs.Forbidden, fmt.Sprintf("a %s may not read any register", sc.Role), errs.Coded{Code: "forbidden_role", Args: []string{string(sc.Role)}})
	}
	return v, nil
}

func (s *UI) handleExportPage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	v, err := s.exportForm(r, sc)
	if err != nil {
		return err
	}
	if v.Party == "" {
		v.Party = sc.Party
		if v.Party == "" {
			v.Party = v.Parties[0]
		}
	}
	if v.Kind == "" {
		v.Kind = string(person.Held)
	}
	if v.Format == "" {
		v.Format = "xlsx"
	}
	if v.HeadLang == "" {
		v.HeadLang = v.lang()
	}
	s.render(w, r, http.StatusOK, "export.html", v)
	return nil
}

// handleExportFile checks the choices (a bad one shows the form again with
// the error by its field) and streams the file through the API's export:
// the same scope, the same store reads, the same Content-Disposition.
func (s *UI) handleExportFile(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	v, err := s.exportForm(r, sc)
	if err != nil {
		return err
	}
	if person.Kind(v.Kind).Valid() && v.Party != "" {
		// A register the user may not read is refused before its form
		// is checked.
		if err := access.Decide(sc, access.RecordRead, access.Resource{Party: v.Party, Kind: v.Kind}); err != nil {
			return err
		}
	}
	bad := map[string]string{}
	if v.Party == "" {
		bad["party"] = v.T("export.choose")
	}
	if !person.Kind(v.Kind).Valid() {
		bad["kind"] = v.T("export.choose")
	}
	if !slices.Contains(sheet.Formats, v.Format) {
		bad["format"] = v.T("export.choose")
	}
	if !slices.Contains(sheet.Languages, v.HeadLang) {
		bad["lang"] = v.T("export.choose")
	}
	if v.Category != "" && !person.Category(v.Category).Valid() {
		bad["category"] = v.T("export.choose")
	}
	if v.Status != "" && !person.Status(v.Status).Valid() {
		bad["status"] = v.T("export.choose")
	}
	if len(bad) > 0 {
		v.Fields, v.Message = bad, v.T("form.invalid")
		s.render(w, r, http.StatusUnprocessableEntity, "export.html", v)
		return nil
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.files.Export(w, r, sc)
}

// handleTracingFile downloads a party's held register for the Central
// Tracing Agency through the API's export: the same decision, the same
// file, logged the same way.
func (s *UI) handleTracingFile(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	return s.files.TracingExport(w, r, sc)
}
