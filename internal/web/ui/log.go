package ui

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sqlstore"
)

func (s *UI) registerUILogRoutes() {
	s.page("GET", "/audit", access.LogRead, "The log: latest checkpoint, cosigners, registered keys with fingerprints.", s.handleAuditPage)
}

type auditView struct {
	chrome
	Origin      string
	LogKeyFP    string
	LogSize     int64
	HasCP       bool
	CPSize      int64
	CPRoot      string
	CPNote      string
	Cosigners   []cosigner
	Keys        []sqlstore.LogKey
	CosignedAll bool
	// Witnesses are those the server submits its checkpoints to (serve
	// --witness); Configured is false without any.
	Witnesses  []witnessRow
	Configured bool
}

// witnessRow is one witness the server submits its checkpoints to.
type witnessRow struct {
	Name, URL    string
	CosignedSize int64
	CosignedAt   time.Time
	LastError    string
	Failures     int
	NextAttempt  time.Time
}

// cosigner is one signature line of the latest checkpoint: the log's own or
// a witness's, checked against the witness's registered key.
type cosigner struct {
	Name     string
	Party    string
	Verified bool
	Known    bool
	Log      bool
}

func (s *UI) handleAuditPage(w http.ResponseWriter, r *http.Request, _ access.Scope) error {
	ctx := r.Context()
	v := auditView{chrome: s.chromeFor(r, "audit.title"), Origin: s.cfg.Origin()}
	if s.cfg.LogVKey != "" {
		v.LogKeyFP, _ = audit.Fingerprint(s.cfg.LogVKey)
	}
	n, err := s.db.LogSize(ctx)
	if err != nil {
		return err
	}
	v.LogSize = n
	keys, err := s.db.LogKeys(ctx)
	if err != nil {
		return err
	}
	v.Keys = keys
	if s.cfg.Witnesses != nil {
		v.Configured = true
		for _, w := range s.cfg.Witnesses() {
			v.Witnesses = append(v.Witnesses, witnessRow{Name: w.Name, URL: w.URL, CosignedSize: w.CosignedSize, CosignedAt: w.CosignedAt,
				LastError: w.LastError, Failures: w.Failures, NextAttempt: w.NextAttempt})
		}
	}
	cp, err := s.db.LatestCheckpoint(ctx)
	if err != nil && !errs.Is(errs.NotFound, err) {
		return err
	}
	if err == nil {
		if c, err := audit.PeekCheckpoint(cp); err == nil {
			v.HasCP, v.CPSize, v.CPRoot, v.CPNote = true, c.Size, base64.StdEncoding.EncodeToString(c.Root[:]), string(cp)
		}
		v.Cosigners = cosignersOf(cp, v.Origin, keys)
		v.CosignedAll = len(keys) > 0
		for _, k := range keys {
			ok := false
			for _, c := range v.Cosigners {
				if c.Name == k.Name && c.Verified {
					ok = true
				}
			}
			v.CosignedAll = v.CosignedAll && ok
		}
	}
	s.render(w, r, http.StatusOK, "audit.html", v)
	return nil
}

// cosignersOf lists the signature lines of a signed note ("— name sig").
func cosignersOf(note []byte, origin string, keys []sqlstore.LogKey) []cosigner {
	body, sigs, ok := bytes.Cut(note, []byte("\n\n"))
	if !ok {
		return nil
	}
	// A witness's line is checked against the note as the log signed it:
	// the body and the log's own signature, without the other witnesses.
	logOnly := string(body) + "\n\n"
	for _, line := range strings.Split(string(sigs), "\n") {
		if strings.HasPrefix(line, "— "+origin+" ") {
			logOnly += line + "\n"
		}
	}
	var out []cosigner
	for _, line := range strings.Split(string(sigs), "\n") {
		rest, ok := strings.CutPrefix(line, "— ")
		if !ok {
			continue
		}
		name, _, _ := strings.Cut(rest, " ")
		c := cosigner{Name: name, Log: name == origin}
		for _, k := range keys {
			if k.Name == name {
				c.Known, c.Party = true, k.Party
				c.Verified = audit.VerifyCosignature(k.VKey, []byte(logOnly), line) == nil
			}
		}
		out = append(out, c)
	}
	return out
}
