package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/locale"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/report"
	"github.com/handover-project/handover/internal/sqlstore"
)

// The agreement's persons as people (docs/design/agreement.md, "Reading
// what is signed"): the agreement page, its printed copy (PDF) and the
// API show each person of the document by name, from the record version
// whose commitment the document holds, as far as the reader may see them,
// with the result of exchange.CheckRendering: every person of the
// document shown, by its record id and commitment, and no one else.

// agreementPageSize is how many persons the agreement page shows a page.
const agreementPageSize = 50

// agreementPeople is the rendering on the agreement page.
type agreementPeople struct {
	Page  sqlstore.RenderingPage
	Query sqlstore.RenderingQuery
	// Problems are the check's findings in the user's language; none:
	// checked and true to the document.
	Problems []string
	Counts   []string
	Parties  []string
	Stages   []int
	Sorts    []sortOption
	// Prev and Next link the neighbouring pages ("" at either end).
	Prev, Next string
}

// sortOption is one choice of the rendering's order.
type sortOption struct{ Value, Label string }

// agreementSign is what the page's signing script needs: the canonical
// text apart from the signatures, and the verifier keys registered for the
// user's role.
type agreementSign struct {
	Text       string
	Signatures string
	Keys       string // JSON array of verifier keys
}

// renderingQuery reads the rendering's query from the URL: q, sort, desc,
// party, stage (-1: the reserve), page.
func renderingQuery(r *http.Request) sqlstore.RenderingQuery {
	v := r.URL.Query()
	q := sqlstore.RenderingQuery{Search: strings.TrimSpace(v.Get("q")), Sort: v.Get("sort"), Desc: v.Get("desc") == "1", Party: v.Get("party"), Size: agreementPageSize}
	q.Stage, _ = strconv.Atoi(v.Get("stage"))
	q.Page, _ = strconv.Atoi(v.Get("page"))
	return q
}

// renderingSorts are the columns the rendering sorts by ("" is the
// document's order), with their labels' keys.
var renderingSorts = [][2]string{{"", "agreement.sort.stage"}, {"name", "field.name"}, {"latin", "agreement.latin"}, {"birth", "field.birth_date"},
	{"category", "field.category"}, {"number", "field.service_number"}, {"record", "list.record"}}

// agreementPeopleOf renders the persons of rend for the page.
func agreementPeopleOf(c chrome, rend *sqlstore.AgreementRendering, q sqlstore.RenderingQuery) agreementPeople {
	p := agreementPeople{Query: q, Page: rend.Query(q)}
	for _, o := range renderingSorts {
		p.Sorts = append(p.Sorts, sortOption{o[0], c.T(o[1])})
	}
	link := func(page int) string {
		v := url.Values{}
		for k, s := range map[string]string{"q": q.Search, "sort": q.Sort, "party": q.Party} {
			if s != "" {
				v.Set(k, s)
			}
		}
		if q.Desc {
			v.Set("desc", "1")
		}
		if q.Stage != 0 {
			v.Set("stage", strconv.Itoa(q.Stage))
		}
		if rend.Agreement.Version != 0 {
			v.Set("version", strconv.Itoa(rend.Agreement.Version))
		}
		v.Set("page", strconv.Itoa(page))
		return c.Path + "?" + v.Encode() + "#persons-h"
	}
	if p.Page.Page > 1 {
		p.Prev = link(p.Page.Page - 1)
	}
	if p.Page.Page < p.Page.Pages {
		p.Next = link(p.Page.Page + 1)
	}
	p.Problems = checkRendering(c.lang(), rend)
	p.Parties = rend.Agreement.Exchange.Parties[:]
	for _, st := range rend.Agreement.Plan.Stages {
		p.Stages = append(p.Stages, st.Number)
	}
	for _, party := range p.Parties {
		p.Counts = append(p.Counts, c.T("agreement.counts", party, countsText(c.lang(), p.Page.Counts[party])))
	}
	return p
}

// checkRendering checks a rendering against its document; it returns the
// problems in lang.
func checkRendering(lang string, rend *sqlstore.AgreementRendering) []string {
	var out []string
	for _, fe := range exchange.CheckRendering(rend.Agreement, rend.Rendered()) {
		out = append(out, locale.Field(lang, fe))
	}
	return out
}

// countsText says counts per category in lang: "військовий 270, цивільний 120".
func countsText(lang string, c exchange.Counts) string {
	var parts []string
	for _, cat := range person.Categories {
		if c[cat] > 0 {
			parts = append(parts, locale.T(lang, "value."+string(cat))+" "+locale.Number(lang, c[cat]))
		}
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, ", ")
}

// agreementSignOf splits a stored document into its text and signatures
// and finds the verifier keys in effect registered for role.
func agreementSignOf(doc string, keys []sqlstore.LogKey, role string) agreementSign {
	out := agreementSign{Text: doc}
	if i := strings.Index(doc, "\n\n"); i >= 0 {
		out.Text, out.Signatures = doc[:i+1], doc[i+2:]
	}
	vkeys := []string{}
	for _, k := range keys {
		r := k.Party
		if r == "" {
			r = exchange.Mediator
		}
		if k.Purpose == sqlstore.KeySigner && k.State == access.KeyActive && r == role {
			vkeys = append(vkeys, k.VKey)
		}
	}
	b, _ := json.Marshal(vkeys)
	out.Keys = string(b)
	return out
}

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
	a.Problems = checkRendering(lang, rend)
	all := rend.Query(sqlstore.RenderingQuery{})
	for _, party := range rend.Agreement.Exchange.Parties {
		a.Counts = append(a.Counts, T("agreement.counts", party, countsText(lang, all.Counts[party])))
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
func (s *Server) writeAgreementPDF(w http.ResponseWriter, r *http.Request, sc access.Scope, lang string) error {
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

func (s *Server) handleAgreementPDFPage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	lang, err := pdfLang(r, uiState(r).lang)
	if err != nil {
		return err
	}
	return s.writeAgreementPDF(w, r, sc, lang)
}

func (s *Server) handleAgreementPDF(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	lang, err := pdfLang(r, requestLang(r))
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

func (s *Server) handleAgreementPersons(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
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
	writeJSON(w, http.StatusOK, out)
	return nil
}
