package ui

import (
	"net/http"
	"strings"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/web/httpx"
)

// The keys page (docs/design/security.md §3): every key of both parties and
// the mediator, proposed, in effect or revoked, and every change of them,
// shown to every user who may read the log, both parties at once; and for
// a party's approvers (the mediator's operators) the forms to propose,
// confirm and revoke their own side's keys.
func (s *UI) registerUIKeyRoutes() {
	s.page("GET", "/keys", access.LogRead, "Keys of both parties and the mediator with their state, and every key change.", s.handleKeysPage)
	s.page("POST", "/keys", access.KeyPropose, "Propose a key of one's party (or the mediator's); in effect once a second person confirms it.", s.handleProposeKeyForm)
	s.page("POST", "/keys/{name}/confirm", access.KeyConfirm, "Confirm a key another person of the party proposed.", s.handleConfirmKeyForm)
	s.page("POST", "/keys/{name}/revoke", access.KeyRevoke, "Revoke a key of one's party, or withdraw a proposal.", s.handleRevokeKeyForm)
}

type keysView struct {
	chrome
	Keys    []sqlstore.LogKey
	Changes []sqlstore.KeyEvent
	// Side is the party whose keys the user manages ("" for none; the
	// mediator's operators manage "mediator").
	Side                                string
	VKey, Purpose, Endorsement, Confirm string
}

// keySide returns the side whose keys sc manages, or "".
func keySide(sc access.Scope) string {
	side := sc.Party
	if side == "" {
		side = access.Mediator
	}
	if access.Decide(sc, access.KeyPropose, access.Resource{Party: side}) != nil {
		return ""
	}
	return side
}

func (s *UI) keysView(r *http.Request, sc access.Scope) (keysView, error) {
	v := keysView{chrome: s.chromeFor(r, "keys.title"), Side: keySide(sc)}
	var err error
	if v.Keys, err = s.db.Keys(r.Context()); err != nil {
		return v, err
	}
	v.Changes, err = s.db.KeyChanges(r.Context(), sc)
	return v, err
}

// Mine says whether a key belongs to the side the user manages.
func (v keysView) Mine(k sqlstore.LogKey) bool {
	if v.Side == "" {
		return false
	}
	return k.Party == v.Side || (k.Party == "" && v.Side == access.Mediator)
}

func (s *UI) handleKeysPage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	v, err := s.keysView(r, sc)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "keys.html", v)
	return nil
}

// keyRefused renders the page with a refusal of a key form, or returns an
// error that is not the user's to fix.
func (s *UI) keyRefused(w http.ResponseWriter, r *http.Request, sc access.Scope, err error, field string, fill func(*keysView)) error {
	if !errs.Is(errs.Invalid, err) && !errs.Is(errs.Conflict, err) && !errs.Is(errs.Forbidden, err) && !errs.Is(errs.NotFound, err) {
		return err
	}
	v, verr := s.keysView(r, sc)
	if verr != nil {
		return verr
	}
	fill(&v)
	v.Fields = map[string]string{field: refusalText(v.chrome, err)}
	s.render(w, r, httpx.StatusOf(errs.KindOf(err)), "keys.html", v)
	return nil
}

func (s *UI) handleProposeKeyForm(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	vkey, purpose, endorsement := strings.TrimSpace(r.PostFormValue("vkey")), r.PostFormValue("purpose"), strings.TrimSpace(r.PostFormValue("endorsement"))
	_, err := s.db.ProposeKey(r.Context(), sc, sqlstore.KeyProposal{VKey: vkey, Party: sc.Party, Purpose: purpose, Endorsement: endorsement})
	if err == nil {
		s.redirect(w, r, "/keys")
		return nil
	}
	return s.keyRefused(w, r, sc, err, "vkey", func(v *keysView) { v.VKey, v.Purpose, v.Endorsement = vkey, purpose, endorsement })
}

func (s *UI) handleConfirmKeyForm(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	name := r.PathValue("name")
	_, err := s.db.ConfirmKey(r.Context(), sc, name, strings.TrimSpace(r.PostFormValue("endorsement")))
	if err == nil {
		s.redirect(w, r, "/keys")
		return nil
	}
	return s.keyRefused(w, r, sc, err, "confirm-"+name, func(v *keysView) { v.Confirm = name })
}

func (s *UI) handleRevokeKeyForm(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	name := r.PathValue("name")
	_, err := s.db.RevokeKey(r.Context(), sc, name, r.PostFormValue("reason"))
	if err == nil {
		s.redirect(w, r, "/keys")
		return nil
	}
	return s.keyRefused(w, r, sc, err, "revoke-"+name, func(*keysView) {})
}
