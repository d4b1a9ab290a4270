package api

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/locale"
	"github.com/handover-project/handover/internal/report"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/web/httpx"
)

// An agreement's persons as people (docs/design/agreement.md, "Reading
// what is signed"): the rendering of a version with the check against its
// document (exchange.CheckRendering), as JSON, and its printed copy (PDF)
// in uk, ru or en with the document hash on every page, which the pages
// serve too.

// pdfLang is the language of a printed copy: ?lang= when it names one,
// else the user's.
func pdfLang(r *http.Request, fallback string) (string, error) {
	l := r.URL.Query().Get("lang")
	if l == "" {
		return fallback, nil
	}
	if !locale.Valid(l) {
		return "", errs.E("web.agreement", errs.Invalid, errs.FieldError{Field: "lang", Message: "uk, ru or en", Code: "bad_lang", Args: []string{l}})
	}
	return l, nil
}

// agreementPrint is the printed copy of a rendering in lang: a table per
// side and stage, then the side's reserve.
func agreementPrint(lang string, rend *sqlstore.AgreementRendering, st sqlstore.AgreementStatus, printed report.AgreementPrint) report.AgreementPrint {
	a := printed
	T := func(key string, args ...any) string { return locale.T(lang, key, args...) }
	a.T = T
	a.Exchange, a.ExchangeName, a.Version, a.Hash = st.Exchange, rend.Agreement.Exchange.Name, st.Version, rend.Hash
	a.Problems = httpx.CheckRendering(lang, rend)
	all := rend.Query(sqlstore.RenderingQuery{})
	for _, party := range rend.Agreement.Exchange.Parties {
		a.Counts = append(a.Counts, T("agreement.counts", party, httpx.CountsText(lang, all.Counts[party])))
	}
	for _, party := range rend.Agreement.Exchange.Parties {
		stages := []int{}
		for _, st := range rend.Agreement.Plan.Stages {
			stages = append(stages, st.Number)
		}
		for _, n := range append(stages, 0) {
			g := report.AgreementGroup{Title: T("agreement.stagen", party, n)}
			if n == 0 {
				g.Title = T("agreement.reserve", party)
			}
			for _, p := range rend.Persons {
				if p.Party != party || p.Stage != n {
					continue
				}
				row := report.AgreementRow{Name: p.Name(), Latin: p.Latin, Category: T("value." + string(p.Category)), Rank: p.Rank, ServiceNumber: p.ServiceNumber,
					RecordID: p.RecordID, Commitment: p.Commitment.String(), Withheld: p.Withheld && p.Name() == ""}
				if !p.BirthDate.IsZero() {
					row.BirthDate = locale.Day(lang, p.BirthDate.Year, p.BirthDate.Month, p.BirthDate.Day)
				}
				if p.Unverified {
					row.Commitment = "—"
				}
				g.Rows = append(g.Rows, row)
			}
			if len(g.Rows) > 0 {
				a.Groups = append(a.Groups, g)
			}
		}
	}
	return a
}

// writeAgreementPDF renders and writes the printed copy of an agreement
// version.
func (s *API) writeAgreementPDF(w http.ResponseWriter, r *http.Request, sc access.Scope, lang string) error {
	id := r.PathValue("id")
	version, _ := strconv.Atoi(r.URL.Query().Get("version"))
	st, err := s.db.Agreement(r.Context(), sc, id, version)
	if err != nil {
		return err
	}
	rend, err := s.db.AgreementPersons(r.Context(), sc, id, st.Version)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := report.AgreementPDF(&b, agreementPrint(lang, &rend, st, report.AgreementPrint{Printed: s.db.Now()})); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="agreement-%s-v%d-%s.pdf"`, st.Exchange, st.Version, lang))
	w.WriteHeader(http.StatusOK)
	w.Write(b.Bytes())
	return nil
}

func (s *API) handleAgreementPDF(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	lang, err := pdfLang(r, locale.FromAcceptLanguage(r.Header.Get("Accept-Language")))
	if err != nil {
		return err
	}
	return s.writeAgreementPDF(w, r, sc, lang)
}

// AgreementPersons is the API's rendering of an agreement version: its
// persons as the caller may see them and the check against the document.
type agreementPersonsJSON struct {
	Exchange string            `json:"exchange"`
	Version  int               `json:"version"`
	Hash     string            `json:"hash"`
	Checked  bool              `json:"checked"`
	Problems []errs.FieldError `json:"problems"`
	Persons  []personJSON      `json:"persons"`
}

// personJSON is a person of the rendering with its commitment in hex
// (empty when the stored version no longer recomputes to it).
type personJSON struct {
	sqlstore.AgreementPerson
	Commitment string `json:"commitment"`
}

func (s *API) handleAgreementPersons(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	id := r.PathValue("id")
	version, _ := strconv.Atoi(r.URL.Query().Get("version"))
	rend, err := s.db.AgreementPersons(r.Context(), sc, id, version)
	if err != nil {
		return err
	}
	probs := exchange.CheckRendering(rend.Agreement, rend.Rendered())
	out := agreementPersonsJSON{Exchange: id, Version: rend.Agreement.Version, Hash: rend.Hash, Checked: len(probs) == 0,
		Problems: slices.Concat([]errs.FieldError{}, probs), Persons: []personJSON{}}
	for _, p := range rend.Persons {
		pj := personJSON{AgreementPerson: p}
		if !p.Unverified {
			pj.Commitment = p.Commitment.String()
		}
		out.Persons = append(out.Persons, pj)
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}
