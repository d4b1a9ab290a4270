package api

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sheet"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/web/httpx"
)

// The tracing-agency export (docs/design/tracing.md): a party's held
// register for the Central Tracing Agency, flagged records included
// (GC III Arts. 122–123; GC IV Art. 137(2)), each export logged.
func (s *API) registerTracingRoutes() {
	s.add("GET", "/api/v1/tracing-export", access.TracingExport, "Export a party's held register for the Central Tracing Agency (party: the caller's own, or either for the mediator's operator): every held record, those withheld from the other party as detrimental included and marked so (GC IV Art. 137(2)); format=csv|xlsx|json (the JSON document's schema is handover/tracing-export/v1). Each export is logged (leaf bureau.exported) with its count and the file's SHA-256.", s.handleTracingExport)
	s.add("GET", "/api/v1/tracing-exports", access.TracingExport, "A party's logged exports for the Central Tracing Agency, newest first: who, when, format, count, flagged, size and SHA-256.", s.handleTracingExports)
}

// handleTracingExport writes party's export in format for the caller,
// logged; the bureau's page downloads it through httpx.Files too.
func (s *API) handleTracingExport(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	const op = "web.tracingExport"
	q := r.URL.Query()
	format := q.Get("format")
	if format == "" {
		format = "json"
	}
	if !slices.Contains(sheet.TracingFormats, format) {
		return errs.E(op, errs.Invalid, fmt.Sprintf("%q is not a format of the tracing export: use csv, xlsx or json", format), errs.FieldError{Field: "format", Message: fmt.Sprintf("%q: use csv, xlsx or json", format),
			Code: "tracing_format", Args: []string{format}})
	}
	e, data, err := s.db.ExportTracing(r.Context(), sc, q.Get("party"), func(recs []person.Record, at time.Time) (sqlstore.TracingFile, error) {
		t := sheet.TracingOf(q.Get("party"), at, recs)
		if t.Party == "" {
			t.Party = sc.Party
		}
		var b bytes.Buffer
		if err := sheet.WriteTracing(&b, format, t); err != nil {
			return sqlstore.TracingFile{}, errs.E(op, errs.Internal, err)
		}
		return sqlstore.TracingFile{Data: b.Bytes(), Format: format, Schema: sheet.TracingSchema, Count: t.Count, Flagged: t.Flagged}, nil
	})
	if err != nil {
		return err
	}
	ctype, ext := sheet.ContentType(format)
	name := fmt.Sprintf("tracing-%s-%s-%d%s", e.Party, e.Exported.Format("20060102"), e.Seq, ext)
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(data)
	return err
}

func (s *API) handleTracingExports(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	party := r.URL.Query().Get("party")
	if party == "" {
		party = sc.Party
	}
	list, err := s.db.TracingExports(r.Context(), sc, party)
	if err != nil {
		return err
	}
	out := api.TracingExports{Party: party, Exports: each(list, func(e sqlstore.TracingExport) api.TracingExport { return api.TracingExport(e) })}
	if out.Exports == nil {
		out.Exports = []api.TracingExport{}
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}
