package httpx

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

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sheet"
	"github.com/handover-project/handover/internal/sqlstore"
)

// ImportForm is the multipart form of an import.
type ImportForm struct {
	Name, Party, Kind, Category, Duplicates, Sheet, Encoding string
	DryRun                                                   bool
	File, Mapping                                            []byte
	HasFile                                                  bool
}

// ReadImportForm reads the multipart upload, bounded by the file-size limit.
func ReadImportForm(w http.ResponseWriter, r *http.Request, lim sheet.Limits) (ImportForm, error) {
	const op = "web.import"
	var f ImportForm
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
			f.Name, f.HasFile = part.FileName(), true
			f.File, err = io.ReadAll(io.LimitReader(part, lim.MaxFileBytes+1))
			if err == nil && int64(len(f.File)) > lim.MaxFileBytes {
				return f, errs.E(op, errs.Invalid, fmt.Sprintf("the file is larger than the limit of %d bytes", lim.MaxFileBytes),
					errs.FieldError{Field: "file", Message: fmt.Sprintf("larger than %d bytes [%s]", lim.MaxFileBytes, sheet.CodeFileTooLarge), Where: f.Name})
			}
		case "mapping":
			f.Mapping, err = io.ReadAll(io.LimitReader(part, 1<<20))
		default:
			var b []byte
			b, err = io.ReadAll(io.LimitReader(part, 1024))
			v := strings.TrimSpace(string(b))
			switch part.FormName() {
			case "party":
				f.Party = v
			case "kind":
				f.Kind = v
			case "category":
				f.Category = v
			case "duplicates":
				f.Duplicates = v
			case "sheet":
				f.Sheet = v
			case "encoding":
				f.Encoding = v
			case "dry_run":
				f.DryRun = v == "true" || v == "1" || v == "yes"
			default:
				return f, errs.E(op, errs.Invalid, fmt.Sprintf("unknown form field %q", part.FormName()))
			}
		}
		if err != nil {
			return f, uploadError(op, err, lim)
		}
	}
	var bad []errs.FieldError
	if !f.HasFile {
		bad = append(bad, errs.FieldError{Field: "file", Message: "required: the XLSX or CSV file"})
	}
	if f.Duplicates != "" && f.Duplicates != "skip" && f.Duplicates != "keep" {
		bad = append(bad, errs.FieldError{Field: "duplicates", Message: fmt.Sprintf("%q: use skip or keep", f.Duplicates)})
	}
	if len(bad) > 0 {
		return f, errs.E(op, errs.Invalid, "the import request is incomplete", bad)
	}
	if f.Name == "" {
		f.Name = "upload"
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

// ImportStopped is err, or, when the import's context has ended (the time
// limit, or the client has left), the refusal that says so: a store
// interrupted midway has rolled back, and its error is no fault of ours.
func ImportStopped(ctx context.Context, name string, lim sheet.Limits, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return sheet.Stopped(name, lim, cerr)
	}
	return err
}

var recordN = regexp.MustCompile(`^record (\d+)$`)

// RowPlace is where a stored record came from in the file.
type RowPlace struct {
	Sheet string
	Row   int
}

// RowErrors turns the store's "record N" places into the file's rows.
func RowErrors(err error, rows []RowPlace) error {
	if !errs.Is(errs.Invalid, err) {
		return err
	}
	fes := errs.Fields(err)
	for i, fe := range fes {
		if m := recordN.FindStringSubmatch(fe.Where); m != nil {
			if n, _ := strconv.Atoi(m[1]); n >= 1 && n <= len(rows) {
				fes[i].Where = fmt.Sprintf("sheet %s, row %d", rows[n-1].Sheet, rows[n-1].Row)
			}
		} else if fe.Where == "" && len(rows) == 1 {
			fes[i].Where = fmt.Sprintf("sheet %s, row %d", rows[0].Sheet, rows[0].Row)
		}
	}
	return errs.E("web.import", errs.Invalid, errs.Message(err)+"; nothing was imported", fes)
}

// RegisterIndex indexes the identity keys and file references of a
// register, read with the caller's scope, for the duplicate check of an
// import: the current versions, and every version of a corrected record
// (whose current version may have lost its file reference and the
// identity it was imported with).
func RegisterIndex(ctx context.Context, db *sqlstore.DB, sc access.Scope, party string, kind person.Kind) (*sheet.Index, error) {
	ix := sheet.NewIndex()
	var corrected []string
	filter := sqlstore.RecordFilter{Party: party, Kind: kind, Limit: 1000}
	for {
		page, err := db.Records(ctx, sc, filter)
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
		versions, err := db.RecordHistory(ctx, sc, id)
		if err != nil {
			return nil, err
		}
		for i := range versions {
			ix.Add(id, &versions[i].Fields, versions[i].Provenance.SourceRef)
		}
	}
	return ix, nil
}

// Counters count what the server does that a request's route and status
// do not say; the server's metrics (web) implement it. A layer given none
// counts nothing.
type Counters interface {
	// Import counts one import by its outcome and the records it stored:
	// "imported" (stored), "previewed" (a dry run or a page's preview:
	// nothing stored), "refused" (the file, a row or the caller was
	// refused: nothing stored) or "failed" (the server's fault).
	Import(outcome string, records int)
}

// ImportOutcome is the outcome an import that ended in err is counted
// under: "failed" for the server's own errors, "refused" for the rest.
func ImportOutcome(err error) string {
	if k := errs.KindOf(err); k == errs.Internal || k == errs.Other {
		return "failed"
	}
	return "refused"
}
