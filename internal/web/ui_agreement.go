package web

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/sqlstore"
)

// The agreement page: the document as text, its state, who has signed with
// which key (and the keys' fingerprints), and the form an approver or the
// mediator's operator hands in a signature line made offline with
// `handover sign`.

func (s *Server) registerUIAgreementRoutes() {
	s.page("GET", "/exchanges/{id}/agreement", access.ExchangeRead, "An agreement version: text, state, signatures, signer keys with fingerprints.", s.handleAgreementPage)
	s.page("POST", "/exchanges/{id}/agreement/sign", access.AgreementSign, "Hand in a signature line made offline with a registered key.", s.handleSignForm)
}

type agreementView struct {
	chrome
	Exchange string
	St       sqlstore.AgreementStatus
	Versions []int
	Keys     []signerKey
	MaySign  bool
	Line     string
}

// signerKey is a registered signer key and whether it signed this version.
type signerKey struct {
	sqlstore.LogKey
	Role   string
	Signed bool
}

func (s *Server) handleAgreementPage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	version, _ := strconv.Atoi(r.URL.Query().Get("version"))
	v, err := s.agreementPage(r, sc, version)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "agreement.html", v)
	return nil
}

func (s *Server) agreementPage(r *http.Request, sc access.Scope, version int) (agreementView, error) {
	ctx := r.Context()
	id := r.PathValue("id")
	st, err := s.db.Agreement(ctx, sc, id, version)
	if err != nil {
		return agreementView{}, err
	}
	v := agreementView{chrome: s.chromeFor(r, "agreement.title"), Exchange: id, St: st}
	for i := st.Latest; i >= 1; i-- {
		v.Versions = append(v.Versions, i)
	}
	keys, err := s.db.LogKeys(ctx)
	if err != nil {
		return v, err
	}
	for _, k := range keys {
		if k.Purpose != sqlstore.KeySigner {
			continue
		}
		sk := signerKey{LogKey: k, Role: k.Party}
		if sk.Role == "" {
			sk.Role = exchange.Mediator
		}
		for _, sig := range st.Signed {
			if sig.KeyName == k.Name {
				sk.Signed = true
			}
		}
		v.Keys = append(v.Keys, sk)
	}
	role := sc.Party
	if role == "" {
		role = exchange.Mediator
	}
	v.MaySign = st.State == exchange.AgreementOpen.String() && access.Decide(sc, access.AgreementSign, access.Resource{Party: role}) == nil
	return v, nil
}

func (s *Server) handleSignForm(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	id := r.PathValue("id")
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	line := strings.TrimSpace(r.PostFormValue("line"))
	if f, _, err := r.FormFile("file"); err == nil && line == "" {
		b, _ := io.ReadAll(io.LimitReader(f, 16<<10))
		f.Close()
		line = strings.TrimSpace(string(b))
	}
	_, err := s.db.SignAgreement(r.Context(), sc, id, version, line)
	if err == nil {
		s.redirect(w, r, "/exchanges/"+url.PathEscape(id)+"/agreement")
		return nil
	}
	if !errs.Is(errs.Invalid, err) && !errs.Is(errs.Conflict, err) {
		return err
	}
	v, perr := s.agreementPage(r, sc, version)
	if perr != nil {
		return perr
	}
	v.Line = line
	v.Fields = map[string]string{"line": errs.Message(err)}
	for _, f := range errs.Fields(err) {
		v.Fields["line"] += " — " + f.Message
	}
	s.render(w, r, http.StatusUnprocessableEntity, "agreement.html", v)
	return nil
}
