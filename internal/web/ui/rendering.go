package ui

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/web/httpx"
)

// The agreement's persons as people (docs/design/agreement.md, "Reading
// what is signed"): the agreement page shows each person of the document
// by name, from the record version whose commitment the document holds, as
// far as the reader may see them, with the result of
// exchange.CheckRendering: every person of the document shown, by its
// record id and commitment, and no one else. The printed copy is the
// API's (web/api, agreement_persons.go), served to a page session.

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
	p.Problems = httpx.CheckRendering(c.lang(), rend)
	p.Parties = rend.Agreement.Exchange.Parties[:]
	for _, st := range rend.Agreement.Plan.Stages {
		p.Stages = append(p.Stages, st.Number)
	}
	for _, party := range p.Parties {
		p.Counts = append(p.Counts, c.T("agreement.counts", party, httpx.CountsText(c.lang(), p.Page.Counts[party])))
	}
	return p
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

// handleAgreementPDFPage serves the printed copy (the API's PDF) to a
// page session, in the language asked (?lang=) or else the user's.
func (s *UI) handleAgreementPDFPage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	q := r.URL.Query()
	if q.Get("lang") == "" {
		q.Set("lang", uiState(r).Lang)
		r.URL.RawQuery = q.Encode()
	}
	return s.files.AgreementPDF(w, r, sc)
}
