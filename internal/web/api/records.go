package api

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/web/httpx"
)

func (s *API) registerRecordRoutes() {
	s.add("GET", "/api/v1/records", access.RecordRead, "List records the caller may read, filtered, by cursor.", s.handleListRecords)
	s.add("POST", "/api/v1/records", access.RecordCreate, "Create a record in a register of the caller's party.", s.handleCreateRecord)
	s.add("POST", "/api/v1/records/batch", access.RecordCreate, "Create up to 1,000 records at once: all or nothing.", s.handleCreateRecords)
	s.add("GET", "/api/v1/records/{id}", access.RecordRead, "The current version of a record.", s.handleGetRecord)
	s.add("PUT", "/api/v1/records/{id}", access.RecordCorrect, "Correct a record: a new version on top of base_version.", s.handleCorrectRecord)
	s.add("GET", "/api/v1/records/{id}/history", access.RecordRead, "Every version of a record, oldest first.", s.handleRecordHistory)
	s.add("POST", "/api/v1/records/{id}/erase", access.RecordErase, "Erase a record's personal fields for a data-protection request (the party's approver, after the second factor); logged (record.erased), the log stays verifiable.", s.handleEraseRecord)
}

// newRecord is a record as the store takes it: in the caller's own party
// when the input names none.
func newRecord(in api.RecordInput, sc access.Scope) sqlstore.NewRecord {
	party := in.Party
	if party == "" {
		party = sc.Party
	}
	return sqlstore.NewRecord{Party: party, Fields: in.Fields, Source: in.Source, Ref: in.SourceRef}
}

func (s *API) handleListRecords(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	q := r.URL.Query()
	f := sqlstore.RecordFilter{
		Party: q.Get("party"), Kind: person.Kind(q.Get("kind")), Category: person.Category(q.Get("category")),
		Status: person.Status(q.Get("status")), Text: q.Get("q"), Cursor: q.Get("cursor"),
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return errs.E("web.listRecords", errs.Invalid, fmt.Sprintf("limit %q is not a number", v), errs.FieldError{Field: "limit", Message: "not a number"})
		}
		f.Limit = n
	}
	page, err := s.db.Records(r.Context(), sc, f)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, api.RecordPage{Records: page.Records, Next: page.Next})
	return nil
}

func (s *API) handleCreateRecord(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	var in api.RecordInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	rec, err := s.db.CreateRecord(r.Context(), sc, newRecord(in, sc))
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/records/"+rec.ID)
	httpx.WriteJSON(w, http.StatusCreated, rec)
	return nil
}

func (s *API) handleCreateRecords(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	var in api.RecordBatch
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if len(in.Records) == 0 || len(in.Records) > api.MaxBatch {
		return errs.E("web.createRecords", errs.Invalid, fmt.Sprintf("send between 1 and %d records, not %d", api.MaxBatch, len(in.Records)))
	}
	nrs := make([]sqlstore.NewRecord, len(in.Records))
	for i, ri := range in.Records {
		nrs[i] = newRecord(ri, sc)
	}
	recs, err := s.db.CreateRecords(r.Context(), sc, nrs)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, api.Records{Records: recs})
	return nil
}

func (s *API) handleGetRecord(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	rec, err := s.db.Record(r.Context(), sc, r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("ETag", strconv.Quote(strconv.Itoa(rec.Version)))
	httpx.WriteJSON(w, http.StatusOK, rec)
	return nil
}

// handleEraseRecord erases one of the caller's party's records for a
// data-protection request (docs/design/security.md §9) and returns its
// tombstone.
func (s *API) handleEraseRecord(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	// The role first (the store decides again with the record's party):
	// a role that may never erase learns nothing from the body's errors.
	if err := access.Decide(sc, access.RecordErase, access.Resource{Party: sc.Party}); err != nil {
		return err
	}
	if _, err := s.db.Record(r.Context(), sc, r.PathValue("id")); err != nil {
		return err // another party's record is not found
	}
	var in api.EraseRequest
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	e, err := s.db.EraseRecord(r.Context(), sc, r.PathValue("id"), in.Reason)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, e)
	return nil
}

func (s *API) handleCorrectRecord(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	var in api.Correction
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if in.BaseVersion < 1 {
		return errs.E("web.correctRecord", errs.Invalid, "base_version is required: the version you read and are correcting",
			errs.FieldError{Field: "base_version", Message: "required, at least 1"})
	}
	rec, err := s.db.CorrectRecord(r.Context(), sc, r.PathValue("id"), in.BaseVersion, in.Fields, in.Reason)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, rec)
	return nil
}

func (s *API) handleRecordHistory(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	h, err := s.db.RecordHistory(r.Context(), sc, r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, api.Versions{Versions: h})
	return nil
}
