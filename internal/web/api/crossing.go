package api

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/locale"
	"github.com/handover-project/handover/internal/report"
	"github.com/handover-project/handover/internal/web/httpx"
)

func (s *API) registerCrossingRoutes() {
	s.add("POST", "/api/v1/exchanges/{id}/stages", access.StageManage, "Open a stage of the exchange's signed agreement (mediator).", s.handleOpenStage)
	s.add("GET", "/api/v1/exchanges/{id}/stages", access.ReportRead, "Every stage of the signed agreement: state, parity report, summary.", s.handleStages)
	s.add("GET", "/api/v1/exchanges/{id}/stages/{n}", access.ReportRead, "One open stage: state, history, parity report, flags.", s.handleStage)
	s.add("POST", "/api/v1/exchanges/{id}/stages/{n}/events", access.HandoverRecord, "Record handover events (one, or a queue recorded offline), each answered applied, duplicate or refused.", s.handleHandoverEvents)
	s.add("POST", "/api/v1/exchanges/{id}/stages/{n}/transitions", access.StageManage, "Move a stage: close (with a discrepancy reason when parity fails), suspend, resume, cancel (mediator).", s.handleTransitions)
	s.add("GET", "/api/v1/exchanges/{id}/stages/{n}/lookup", access.ReportRead, "The officer's lookup: a person of the stage by service number, record id or name in any script.", s.handleLookup)
	s.add("GET", "/api/v1/exchanges/{id}/stages/{n}/lists/{party}", access.ReportRead, "The stage's list of the persons a party releases, as JSON or as the printed PDF (format=pdf).", s.handleStageList)
	s.add("GET", "/api/v1/exchanges/{id}/report", access.ReportRead, "The exchange report over its stages, or one (stage=N): counts by category, refusals, no-shows, substitutions, discrepancies (JSON or format=xlsx).", s.handleExchangeReport)
	s.add("POST", "/api/v1/exchanges/{id}/remains", access.StageManage, "Record one item of the repatriation of remains: batch, package, remains, link, identification or hand_back (mediator).", s.handleRecordRemains)
	s.add("GET", "/api/v1/exchanges/{id}/remains", access.ReportRead, "The repatriation of remains: counts per direction (no parity) and every remains with its identifications.", s.handleRemains)
	s.add("GET", "/api/v1/trace", access.TraceRead, "A bureau finds its sought persons by name (any script) and birth date, with their trace status.", s.handleTraceSearch)
	s.add("GET", "/api/v1/trace/changes", access.TraceRead, "The trace status changes of the bureau's sought persons since a date, as JSON or CSV (format=csv).", s.handleTraceChanges)
	s.add("GET", "/api/v1/trace/{id}", access.TraceRead, "The trace status of one of the bureau's records, with its history.", s.handleTrace)
}

func (s *API) handleOpenStage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	var in api.OpenStageRequest
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	v, err := s.db.OpenStage(r.Context(), sc, r.PathValue("id"), in.Stage)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, apiStage(v))
	return nil
}

func (s *API) handleStages(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	vs, err := s.db.ExchangeStages(r.Context(), sc, r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, api.Stages{Stages: each(vs, apiStage)})
	return nil
}

func (s *API) handleStage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	n, err := httpx.StageNumber(r)
	if err != nil {
		return err
	}
	v, err := s.db.Stage(r.Context(), sc, r.PathValue("id"), n)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, apiStage(v))
	return nil
}

// recordEvents decodes {"events":[…]} and records them; onlyStage says
// whether every event must be a stage transition.
func (s *API) recordEvents(w http.ResponseWriter, r *http.Request, sc access.Scope, onlyStage bool) error {
	n, err := httpx.StageNumber(r)
	if err != nil {
		return err
	}
	var in api.Events
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	for i, e := range in.Events {
		if e.Type.IsStage() != onlyStage {
			what := "handover events go to …/events"
			if onlyStage {
				what = "only stage transitions go to …/transitions"
			}
			return errs.E("web.events", errs.Invalid, errs.FieldError{Field: fmt.Sprintf("events[%d].type", i), Message: what})
		}
	}
	out, err := s.db.RecordEvents(r.Context(), sc, r.PathValue("id"), n, in.Events)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, apiRecordResult(out))
	return nil
}

func (s *API) handleHandoverEvents(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	return s.recordEvents(w, r, sc, false)
}

func (s *API) handleTransitions(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	return s.recordEvents(w, r, sc, true)
}

func (s *API) handleLookup(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	n, err := httpx.StageNumber(r)
	if err != nil {
		return err
	}
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	hits, err := s.db.Lookup(r.Context(), sc, r.PathValue("id"), n, r.URL.Query().Get("q"), limit)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, api.LookupHits{Persons: each(hits, apiLookupHit)})
	return nil
}

func (s *API) handleStageList(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	n, err := httpx.StageNumber(r)
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format != "" && format != "json" && format != "pdf" {
		return errs.E("web.list", errs.Invalid, errs.FieldError{Field: "format", Message: "json or pdf"})
	}
	lang, err := reportLang(r)
	if err != nil {
		return err
	}
	sl, err := s.db.StageList(r.Context(), sc, r.PathValue("id"), n, r.PathValue("party"))
	if err != nil {
		return err
	}
	l := apiStageList(sl)
	if format != "pdf" {
		httpx.WriteJSON(w, http.StatusOK, l)
		return nil
	}
	pl := report.List{Exchange: l.Exchange, Stage: l.Stage, Side: l.Side, Receiver: l.Receiver, Crossing: l.Crossing, Window: l.Window,
		AgreementVersion: l.AgreementVersion, AgreementHash: l.AgreementHash, Printed: time.Now().UTC(), Lang: lang}
	for _, a := range l.Amendments {
		pl.Amendments = append(pl.Amendments, fmt.Sprintf("%d %s", a.Version, a.Hash))
	}
	for _, p := range l.Persons {
		pl.Rows = append(pl.Rows, report.ListRow{RecordID: p.RecordID, Name: p.Name(), BirthDate: p.BirthDate.String(), Category: string(p.Category),
			Rank: p.Rank, ServiceNumber: p.ServiceNumber, Reserve: p.Reserve, Outcome: string(p.Outcome),
			Withheld: p.Withheld, Corrected: p.CorrectedAfterSigning})
	}
	var b bytes.Buffer
	if err := report.ListPDF(&b, pl); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="stage-%d-%s.pdf"`, n, l.Side))
	w.WriteHeader(http.StatusOK)
	w.Write(b.Bytes())
	return nil
}

// reportLang is the language of a printed list or a workbook: the lang
// parameter (uk, ru, en) when given; else, from a page, the page's
// language; else the language the client asks for (Accept-Language),
// English by default.
func reportLang(r *http.Request) (string, error) {
	if l := r.URL.Query().Get("lang"); l != "" {
		if !locale.Valid(l) {
			return "", errs.E("web.report", errs.Invalid, errs.FieldError{Field: "lang", Message: "use uk, ru or en", Code: "bad_lang"})
		}
		return l, nil
	}
	if v, ok := httpx.PageVisitor(r); ok {
		return v.Lang, nil
	}
	return locale.FromAcceptLanguage(r.Header.Get("Accept-Language")), nil
}

// exchangeReport builds the report of an exchange from its stages.
func (s *API) exchangeReport(r *http.Request, sc access.Scope) (report.Exchange, error) {
	vs, err := s.db.ExchangeStages(r.Context(), sc, r.PathValue("id"))
	if err != nil {
		return report.Exchange{}, err
	}
	only := 0
	if q := r.URL.Query().Get("stage"); q != "" {
		if only, err = strconv.Atoi(q); err != nil || only < 1 {
			return report.Exchange{}, errs.E("web.report", errs.Invalid, errs.FieldError{Field: "stage", Message: "a stage number from 1"})
		}
	}
	var stages []report.Stage
	version, hash := 0, ""
	for _, v := range vs {
		if only > 0 && v.Stage != only {
			continue
		}
		stages = append(stages, report.StageOf(v.Crossing, v.Report, v.Summary))
		version, hash = v.AgreementVersion, v.AgreementHash
	}
	return report.Build(r.PathValue("id"), version, hash, stages), nil
}

func (s *API) handleExchangeReport(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	format := r.URL.Query().Get("format")
	if format != "" && format != "json" && format != "xlsx" {
		return errs.E("web.report", errs.Invalid, errs.FieldError{Field: "format", Message: "json or xlsx"})
	}
	lang, err := reportLang(r)
	if err != nil {
		return err
	}
	x, err := s.exchangeReport(r, sc)
	if err != nil {
		return err
	}
	if format != "xlsx" {
		httpx.WriteJSON(w, http.StatusOK, x)
		return nil
	}
	var b bytes.Buffer
	if err := report.XLSX(&b, x, lang); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="report-%s.xlsx"`, x.Exchange))
	w.WriteHeader(http.StatusOK)
	w.Write(b.Bytes())
	return nil
}

func (s *API) handleRecordRemains(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	var in api.RemainsInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	v, err := s.db.RecordRemains(r.Context(), sc, r.PathValue("id"), storeRemains(in))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, apiRemains(v))
	return nil
}

func (s *API) handleRemains(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	v, err := s.db.Remains(r.Context(), sc, r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, apiRemains(v))
	return nil
}

func (s *API) handleTraceSearch(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	out, err := s.db.TraceSearch(r.Context(), sc, q.Get("name"), q.Get("birth_date"), limit)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, api.TraceResults{Persons: each(out, apiTrace)})
	return nil
}

func (s *API) handleTraceChanges(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	q := r.URL.Query()
	var since time.Time
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			if t, err = time.Parse("2006-01-02", v); err != nil {
				return errs.E("web.trace", errs.Invalid, errs.FieldError{Field: "since", Message: "a date (2025-05-23) or an RFC 3339 time"})
			}
		}
		since = t
	}
	format := q.Get("format")
	if format != "" && format != "json" && format != "csv" {
		return errs.E("web.trace", errs.Invalid, errs.FieldError{Field: "format", Message: "json or csv"})
	}
	out, err := s.db.TraceChanges(r.Context(), sc, since)
	if err != nil {
		return err
	}
	if format != "csv" {
		httpx.WriteJSON(w, http.StatusOK, api.TraceChanges{Changes: each(out, apiTraceChange)})
		return nil
	}
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	cw.Write([]string{"record_id", "name", "status", "at", "exchange", "stage"})
	for _, c := range out {
		stage := ""
		if c.Stage.Stage > 0 {
			stage = strconv.Itoa(c.Stage.Stage)
		}
		cw.Write([]string{c.RecordID, csvSafe(c.Name), c.Status, c.At.UTC().Format(time.RFC3339), c.Stage.Exchange, stage})
	}
	cw.Flush()
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="trace-changes.csv"`)
	w.WriteHeader(http.StatusOK)
	w.Write(b.Bytes())
	return nil
}

// csvSafe keeps a spreadsheet from reading a name as a formula.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}

func (s *API) handleTrace(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	t, err := s.db.Trace(r.Context(), sc, r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, apiTrace(t))
	return nil
}
