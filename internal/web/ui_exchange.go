package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/sqlstore"
)

// The negotiation pages: the exchanges a user may see, and one exchange
// with its terms, the view against the terms, each side's lists with their
// versions and differences, the current answer per person, and the form a
// party user answers the other side's list with.

func (s *Server) registerUIExchangeRoutes() {
	s.page("GET", "/exchanges", access.ExchangeRead, "The exchanges the user may see.", s.handleExchangesPage)
	s.page("GET", "/exchanges/{id}", access.ExchangeRead, "One exchange: terms, counts against them, lists with versions and differences, answers.", s.handleExchangePage)
	s.page("POST", "/exchanges/{id}/answer", access.ListRespond, "Answer one person of the other party's current list.", s.handleAnswerForm)
}

type exchangesView struct {
	chrome
	Exchanges []exchange.Exchange
}

func (s *Server) handleExchangesPage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	exs, err := s.db.Exchanges(r.Context(), sc)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "exchanges.html", exchangesView{chrome: s.chromeFor(r, "exchanges.title"), Exchanges: exs})
	return nil
}

// listPanel is one party's list of one kind at the version shown.
type listPanel struct {
	sqlstore.ListView
	Party     string
	ListKind  string
	Anchor    string
	Versions  []int
	None      bool
	MayAnswer bool
	// The items shown are one page of the version's (listPageSize).
	Page, Pages, Total int
}

// listPageSize is how many persons of a list one page shows.
const listPageSize = 100

type exchangeView struct {
	chrome
	Ex        exchange.Exchange
	View      exchange.View
	Lists     []listPanel
	Answers   []exchange.Answer
	Charts    []chart
	Agreement bool
	Stages    []sqlstore.StageView
}

func (s *Server) handleExchangePage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	v, err := s.exchangePage(r, sc)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "exchange.html", v)
	return nil
}

func (s *Server) exchangePage(r *http.Request, sc access.Scope) (exchangeView, error) {
	ctx := r.Context()
	id := r.PathValue("id")
	ex, err := s.db.Exchange(ctx, sc, id)
	if err != nil {
		return exchangeView{}, err
	}
	v := exchangeView{chrome: s.chromeFor(r, "exchange.title"), Ex: ex, Answers: exchange.Answers}
	v.Title = ex.Name
	ev, err := s.db.ExchangeView(ctx, sc, id)
	if err != nil {
		return v, err
	}
	v.View = *ev
	// ?list=UA/offer&version=2&page=3 shows an earlier version, or
	// another page, of one list.
	shown, _ := strconv.Atoi(r.URL.Query().Get("version"))
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	for _, p := range ex.Parties {
		for _, k := range []exchange.ListKind{exchange.Offer, exchange.Request} {
			lp := listPanel{Party: p, ListKind: string(k), Anchor: "list-" + p + "-" + string(k)}
			version, pg := 0, 1
			if r.URL.Query().Get("list") == p+"/"+string(k) {
				version, pg = shown, max(page, 1)
			}
			lv, err := s.db.List(ctx, sc, id, p, k, version)
			switch {
			case errs.Is(errs.NotFound, err) && version != 0:
				lv, err = s.db.List(ctx, sc, id, p, k, 0)
			}
			if errs.Is(errs.NotFound, err) {
				lp.None = true
				v.Lists = append(v.Lists, lp)
				continue
			}
			if err != nil {
				return v, err
			}
			lp.Total = len(lv.Items)
			lp.Pages = max(1, (lp.Total+listPageSize-1)/listPageSize)
			lp.Page = min(pg, lp.Pages)
			lv.Items = lv.Items[(lp.Page-1)*listPageSize : min(lp.Page*listPageSize, lp.Total)]
			lp.ListView = lv
			for i := lv.Latest; i >= 1; i-- {
				lp.Versions = append(lp.Versions, i)
			}
			lp.MayAnswer = sc.Party != "" && sc.Party != p && lv.Version == lv.Latest &&
				access.Decide(sc, access.ListRespond, access.Resource{Party: sc.Party}) == nil
			v.Lists = append(v.Lists, lp)
		}
	}
	if _, err := s.db.Agreement(ctx, sc, id, 0); err == nil {
		v.Agreement = true
	}
	if access.Decide(sc, access.ReportRead, access.Resource{}) == nil && v.Agreement {
		if st, err := s.db.ExchangeStages(ctx, sc, id); err == nil {
			v.Stages = st
		}
	}
	v.Charts = exchangeCharts(v.chrome, &v.View, v.Stages)
	return v, nil
}

func (s *Server) handleAnswerForm(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	id := r.PathValue("id")
	party, kind := r.PostFormValue("party"), exchange.ListKind(r.PostFormValue("kind"))
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	a := exchange.Response{RecordID: r.PostFormValue("record_id"), Answer: exchange.Answer(r.PostFormValue("answer")),
		Reason: strings.TrimSpace(r.PostFormValue("reason")), Rule: r.PostFormValue("rule"), At: time.Now().UTC()}
	_, err := s.db.Respond(r.Context(), sc, id, party, kind, version, []exchange.Response{a})
	if err == nil {
		s.redirect(w, r, "/exchanges/"+url.PathEscape(id)+"#list-"+url.PathEscape(party)+"-"+url.PathEscape(string(kind)))
		return nil
	}
	if !errs.Is(errs.Invalid, err) && !errs.Is(errs.Conflict, err) {
		return err
	}
	v, perr := s.exchangePage(r, sc)
	if perr != nil {
		return perr
	}
	v.Message = errs.Message(err)
	for _, f := range errs.Fields(err) {
		v.Message += " — " + f.Field + ": " + f.Message
	}
	s.render(w, r, http.StatusUnprocessableEntity, "exchange.html", v)
	return nil
}
