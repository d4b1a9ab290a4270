package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/web/httpx"
)

// The log is served read-only in the C2SP tlog-tiles layout under /log/
// (to authenticated readers: the deployment is closed, and even leaf
// metadata says how busy each party is), plus proofs, keys and the
// cosigning endpoint under /api/v1/log/.
func (s *API) registerLogRoutes() {
	// The tiles are read with a token by default; a deployment may serve
	// them to anyone (serve --log-public).
	tiles := access.LogRead
	if s.cfg.LogPublic {
		tiles = access.Public
	}
	s.add("GET", "/log/checkpoint", tiles, "The latest signed checkpoint with its cosignatures (C2SP tlog-checkpoint).", s.handleCheckpoint)
	s.add("GET", "/log/tile/{path...}", tiles, "A hash tile or entry bundle (C2SP tlog-tiles).", s.handleTile)
	s.add("GET", "/api/v1/log/witnesses", access.LogRead, "The witnesses the server submits its checkpoints to (C2SP tlog-witness), with the size each cosigned last and when.", s.handleWitnesses)
	s.add("GET", "/api/v1/log/keys", access.LogRead, "The log's origin and verifier key and the registered witness keys with fingerprints.", s.handleLogKeys)
	s.add("POST", "/api/v1/log/keys", access.KeyPropose, "Propose a witness or signer key of the caller's party (an approver) or of the mediator (an operator); in effect only once a second person confirms it.", s.handleProposeKey)
	s.add("POST", "/api/v1/log/keys/{name}/confirm", access.KeyConfirm, "Confirm a key another person of the party proposed (with an endorsement by a key in effect, when the party has one).", s.handleConfirmKey)
	s.add("POST", "/api/v1/log/keys/{name}/revoke", access.KeyRevoke, "Revoke a key of the caller's party, or withdraw a proposal, with a reason.", s.handleRevokeKey)
	s.add("GET", "/api/v1/log/keys/changes", access.LogRead, "Every key, proposed, in effect or revoked, and every key change: who proposed, confirmed or revoked which key, with its leaf.", s.handleKeyChanges)
	s.add("GET", "/api/v1/log/checkpoints", access.LogRead, "The sizes of every stored checkpoint, smallest first.", s.handleCheckpointSizes)
	s.add("GET", "/api/v1/log/checkpoints/{size}", access.LogRead, "The stored checkpoint of a size, with cosignatures.", s.handleCheckpointAt)
	s.add("POST", "/api/v1/log/checkpoint", access.LogCheckpoint, "Make a checkpoint now (if the log grew).", s.handleMakeCheckpoint)
	s.add("GET", "/api/v1/log/proof/inclusion", access.LogRead, "Inclusion proof of a leaf in the latest checkpoint (c2sp.org/tlog-proof@v1).", s.handleInclusionProof)
	s.add("GET", "/api/v1/log/proof/consistency", access.LogRead, "Consistency proof from a checkpoint size to the latest checkpoint.", s.handleConsistencyProof)
	s.add("POST", "/api/v1/log/cosignatures", access.LogCosign, "Hand in a witness's cosignature on a checkpoint; checked against its registered key.", s.handleCosign)
}

func writeText(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(b)
}

func (s *API) handleCheckpoint(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	cp, err := s.db.LatestCheckpoint(r.Context())
	if err != nil {
		return err
	}
	// Mutable: tlog-tiles says its headers SHOULD prevent caching beyond a
	// few seconds.
	w.Header().Set("Cache-Control", "no-cache, max-age=0")
	writeText(w, cp)
	return nil
}

// tileMaxAge is how long a tile may be cached: a year, and immutable, as
// tlog-tiles asks ("caching headers SHOULD be long-lived"). A partial
// tile is as immutable as a full one: its hashes are those of a fixed
// number of leaves, served as long as the checkpoint it belongs to.
const tileCache = "max-age=31536000, immutable"

func (s *API) handleTile(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	t, err := audit.ParseTilePath("tile/" + r.PathValue("path"))
	if err != nil {
		return errs.E("web.tile", errs.NotFound, "not a tile path")
	}
	b, err := s.db.Tile(r.Context(), t)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	// Behind a token a shared cache must not keep it; served to anyone it
	// may.
	if s.cfg.LogPublic {
		h.Set("Cache-Control", "public, "+tileCache)
	} else {
		h.Set("Cache-Control", "private, "+tileCache)
	}
	if t.L == -1 {
		// Entry bundles SHOULD be compressed at the HTTP layer; hash tiles
		// are random bytes that do not compress.
		h.Add("Vary", "Accept-Encoding")
		if httpx.AcceptsGzip(r) {
			return httpx.WriteGzip(w, b)
		}
	}
	w.Write(b)
	return nil
}

func (s *API) handleWitnesses(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	out := []api.WitnessStatus{}
	if s.cfg.Witnesses != nil {
		out = append(out, s.cfg.Witnesses()...)
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (s *API) handleLogKeys(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	ks, err := s.db.LogKeys(r.Context())
	if err != nil {
		return err
	}
	out := api.LogKeys{Origin: s.cfg.Origin(), LogKey: s.cfg.LogVKey, Witnesses: []api.Key{}, Signers: []api.Key{}}
	for _, k := range ks {
		if k.Purpose == sqlstore.KeySigner {
			out.Signers = append(out.Signers, apiKey(k))
		} else {
			out.Witnesses = append(out.Witnesses, apiKey(k))
		}
	}
	if s.cfg.LogVKey != "" {
		if fp, err := audit.Fingerprint(s.cfg.LogVKey); err == nil {
			out.LogKeyFingerprint = fp
		}
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (s *API) handleProposeKey(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	var in api.KeyProposal
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	vkey := strings.TrimSpace(in.VKey)
	if origin := s.cfg.Origin(); origin != "" && audit.KeyName(vkey) == origin {
		return errs.E("web.proposeKey", errs.Invalid, fmt.Sprintf("a key cannot be named %s: that is the log's own name", origin))
	}
	party := in.Party
	if party == "" {
		// One's own: the party's, or the mediator's for its operators.
		party = sc.Party
	}
	k, err := s.db.ProposeKey(r.Context(), sc, sqlstore.KeyProposal{VKey: vkey, Party: party, Purpose: in.Purpose, Endorsement: in.Endorsement})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, apiKey(k))
	return nil
}

func (s *API) handleConfirmKey(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	var in api.KeyConfirmation
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	k, err := s.db.ConfirmKey(r.Context(), sc, r.PathValue("name"), in.Endorsement)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, apiKey(k))
	return nil
}

func (s *API) handleRevokeKey(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	var in api.KeyRevocation
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	k, err := s.db.RevokeKey(r.Context(), sc, r.PathValue("name"), in.Reason)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, apiKey(k))
	return nil
}

func (s *API) handleKeyChanges(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	changes, err := s.db.KeyChanges(r.Context(), sc)
	if err != nil {
		return err
	}
	keys, err := s.db.Keys(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, api.KeyChanges{Keys: nonNil(each(keys, apiKey)), Changes: each(changes, apiKeyEvent)})
	return nil
}

func (s *API) handleCheckpointSizes(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	sizes, err := s.db.CheckpointSizes(r.Context())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, api.CheckpointSizes{Sizes: sizes})
	return nil
}

func (s *API) handleCheckpointAt(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	size, err := httpx.PathInt(r, "size")
	if err != nil {
		return err
	}
	cp, err := s.db.CheckpointAt(r.Context(), size)
	if err != nil {
		return err
	}
	writeText(w, cp)
	return nil
}

func (s *API) handleMakeCheckpoint(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	if s.cfg.Signer == nil {
		return errs.E("web.checkpoint", errs.Conflict, "this server has no log key: it cannot sign checkpoints")
	}
	cp, err := s.db.Checkpoint(r.Context(), s.cfg.Signer, s.cfg.Schedule, true)
	if err != nil {
		return err
	}
	writeText(w, cp)
	return nil
}

func queryInt(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, errs.E("web.query", errs.Invalid, fmt.Sprintf("%s %q is not a number ≥ 0", name, v), errs.FieldError{Field: name, Message: "a number ≥ 0"})
	}
	return n, nil
}

func (s *API) handleInclusionProof(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	index, err := queryInt(r, "index")
	if err != nil {
		return err
	}
	p, err := s.db.ProveInclusion(r.Context(), index)
	if err != nil {
		return err
	}
	writeText(w, p)
	return nil
}

func (s *API) handleConsistencyProof(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	from, err := queryInt(r, "from")
	if err != nil {
		return err
	}
	p, err := s.db.ProveConsistency(r.Context(), from)
	if err != nil {
		return err
	}
	writeText(w, p)
	return nil
}

func (s *API) handleCosign(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	var in api.Cosignature
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.db.AddCosignature(r.Context(), in.Size, in.Line); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
