package ui

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/match"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/web/httpx"
)

func (s *UI) registerUIMatchingRoutes() {
	s.page("GET", "/matching", access.MatchReview, "Matching runs, newest first.", s.handleRunsPage)
	s.page("GET", "/matching/runs/{id}", access.MatchReview, "A run's candidate pairs side by side, with the explanation as bars.", s.handleCandidatesPage)
	s.page("POST", "/matching/decide", access.MatchReview, "Confirm, reject or undo a pair with a reason.", s.handleDecideForm)
	s.page("POST", "/matching/disclose", access.MatchReview, "Disclose a confirmed match to the party that seeks the person.", s.handleDiscloseForm)
	s.page("GET", "/matches", access.MatchRead, "Confirmed matches disclosed to the user's party.", s.handleMatchesPage)
}

type runsView struct {
	chrome
	Runs []sqlstore.MatchRun
	// CanRun: the user may start a run, between these parties.
	CanRun  bool
	Parties []string
	Error   string // why a run could not start
}

func (s *UI) handleRunsPage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	return s.renderRuns(w, r, sc, http.StatusOK, "")
}

// renderRuns renders the runs page with status and, when a run could not
// start, why.
func (s *UI) renderRuns(w http.ResponseWriter, r *http.Request, sc access.Scope, status int, why string) error {
	runs, err := s.db.MatchRuns(r.Context(), sc)
	if err != nil {
		return err
	}
	v := runsView{Error: why, chrome: s.chromeFor(r, "runs.title"), Runs: runs, CanRun: access.Decide(sc, access.MatchRun, access.Resource{}) == nil}
	if v.CanRun {
		all, err := s.db.Parties(r.Context())
		if err != nil {
			return err
		}
		for _, p := range all {
			v.Parties = append(v.Parties, p.Code)
		}
	}
	s.render(w, r, status, "runs.html", v)
	return nil
}

// candidateCard is one pair as the reviewer sees it: both records side by
// side and one bar per field.
type candidateCard struct {
	chrome
	RunID     int64
	Index     int
	Sought    person.Record
	Held      person.Record
	Score     float64
	Weight    float64
	Status    string
	Reason    string
	DecidedBy string
	Bars      []bar
	Back      string // the page to return to without JavaScript
	Error     string
	Note      string // what just happened, e.g. a disclosure
}

// bar is one field's contribution drawn as an SVG bar: to the right of the
// middle when the field agrees (positive weight), to the left when it
// disagrees. X and Width are in the SVG's 0–200 user units.
type bar struct {
	Field, Left, Right, Level string
	Weight                    float64
	X, Width                  int
	Agree                     bool
}

// barScale is the weight (in log2 units) that fills half the bar.
const barScale = 12.0

// barsOf draws the explanation's fields, dates written as the rest of the
// interface writes them in c's language (16.01.1987), never in ISO form.
func barsOf(c chrome, x match.Explanation) []bar {
	var out []bar
	day := func(s string) string {
		if d, err := person.ParseDate(s); err == nil && !d.IsZero() {
			return c.Day(d)
		}
		return s
	}
	for _, f := range x.Fields {
		w := int(math.Round(math.Min(math.Abs(f.Weight)/barScale, 1) * 100))
		b := bar{Field: f.Field, Left: f.Left, Right: f.Right, Level: f.Level, Weight: f.Weight, Width: w, Agree: f.Weight >= 0}
		if strings.HasSuffix(f.Field, "_date") {
			b.Left, b.Right = day(f.Left), day(f.Right)
		}
		if b.Agree {
			b.X = 100
		} else {
			b.X = 100 - w
		}
		out = append(out, b)
	}
	return out
}

type candidatesView struct {
	chrome
	Run    sqlstore.MatchRun
	Cards  []candidateCard
	Status string
	Next   string
	Prev   string
}

const candidatesPerPage = 20

func (s *UI) handleCandidatesPage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	id, err := httpx.PathInt(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	runs, err := s.db.MatchRuns(ctx, sc)
	if err != nil {
		return err
	}
	v := candidatesView{chrome: s.chromeFor(r, "candidates.title"), Status: r.URL.Query().Get("status")}
	found := false
	for _, run := range runs {
		if run.ID == id {
			v.Run, found = run, true
		}
	}
	if !found {
		return errs.E("web.candidates", errs.NotFound, "no such run", errs.Coded{Code: "no_run"})
	}
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	offset = max(offset, 0)
	cs, err := s.db.Candidates(ctx, sc, sqlstore.CandidateFilter{RunID: id, Status: v.Status, Offset: offset, Limit: candidatesPerPage + 1})
	if err != nil {
		return err
	}
	q := url.Values{}
	if v.Status != "" {
		q.Set("status", v.Status)
	}
	if len(cs) > candidatesPerPage {
		cs = cs[:candidatesPerPage]
		q.Set("offset", strconv.Itoa(offset+candidatesPerPage))
		v.Next = r.URL.Path + "?" + q.Encode()
	}
	if offset > 0 {
		q.Set("offset", strconv.Itoa(max(offset-candidatesPerPage, 0)))
		v.Prev = r.URL.Path + "?" + q.Encode()
	}
	back := r.URL.RequestURI()
	for i, c := range cs {
		card, err := s.card(r, sc, c, offset+i+1, back)
		if err != nil {
			return err
		}
		v.Cards = append(v.Cards, card)
	}
	s.render(w, r, http.StatusOK, "candidates.html", v)
	return nil
}

func (s *UI) card(r *http.Request, sc access.Scope, c sqlstore.Candidate, index int, back string) (candidateCard, error) {
	sought, err := s.db.Record(r.Context(), sc, c.SoughtID)
	if err != nil {
		return candidateCard{}, err
	}
	held, err := s.db.Record(r.Context(), sc, c.HeldID)
	if err != nil {
		return candidateCard{}, err
	}
	ch := s.chromeFor(r, "candidates.title")
	return candidateCard{chrome: ch, RunID: c.RunID, Index: index, Sought: sought, Held: held, Score: c.Score, Weight: c.Weight,
		Status: c.Status, Reason: c.Reason, DecidedBy: c.DecidedBy, Bars: barsOf(ch, c.Explanation), Back: back}, nil
}

// handleDecideForm records a decision. With htmx it answers with the pair's
// card only (swapped in place); without JavaScript it goes back to the run.
func (s *UI) handleDecideForm(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	sought, held := r.PostFormValue("sought"), r.PostFormValue("held")
	decision, reason := r.PostFormValue("decision"), r.PostFormValue("reason")
	index, _ := strconv.Atoi(r.PostFormValue("index"))
	back := safeNext(r.PostFormValue("back"))
	c, derr := s.db.DecideMatch(r.Context(), sc, sought, held, decision, reason)
	if derr != nil && !errs.Is(errs.Invalid, derr) && !errs.Is(errs.Conflict, derr) {
		return derr
	}
	htmx := r.Header.Get("HX-Request") == "true"
	if derr == nil && !htmx {
		s.redirect(w, r, back)
		return nil
	}
	// Re-read the pair to show its current state (and the error, if any).
	if derr != nil {
		x, err := s.findCandidate(r, sc, mustInt64(r.PostFormValue("run")), sought, held)
		if errs.Is(errs.NotFound, err) {
			return derr
		}
		if err != nil {
			return err
		}
		c = x
	}
	card, err := s.card(r, sc, c, index, back)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if derr != nil {
		card.Error = refusalText(card.chrome, derr)
		if fs := errs.Fields(derr); len(fs) > 0 && fs[0].Field == "reason" {
			card.Error = card.T("match.reasonneeded")
		}
		status = http.StatusUnprocessableEntity
		if !htmx {
			v := candidatesView{chrome: s.chromeFor(r, "candidates.title"), Cards: []candidateCard{card}}
			v.Run.ID = c.RunID
			s.render(w, r, status, "candidates.html", v)
			return nil
		}
		// htmx swaps only 2xx answers by default: send the card with 200
		// and the error inside it.
		status = http.StatusOK
	}
	s.render(w, r, status, "candidate_row.html", card)
	return nil
}

func mustInt64(s string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n
}

type matchesView struct {
	chrome
	Matches []sqlstore.DisclosedMatch
}

func (s *UI) handleMatchesPage(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	ms, err := s.db.DisclosedMatches(r.Context(), sc)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "matches.html", matchesView{chrome: s.chromeFor(r, "matches.title"), Matches: ms})
	return nil
}

// findCandidate returns the current state of one pair of a run.
func (s *UI) findCandidate(r *http.Request, sc access.Scope, run int64, sought, held string) (sqlstore.Candidate, error) {
	for offset := 0; ; offset += 1000 {
		cs, err := s.db.Candidates(r.Context(), sc, sqlstore.CandidateFilter{RunID: run, Offset: offset, Limit: 1000})
		if err != nil {
			return sqlstore.Candidate{}, err
		}
		for _, c := range cs {
			if c.SoughtID == sought && c.HeldID == held {
				return c, nil
			}
		}
		if len(cs) < 1000 {
			return sqlstore.Candidate{}, errs.E("web.findCandidate", errs.NotFound, "no such candidate pair in this run", errs.Coded{Code: "no_pair_in_run"})
		}
	}
}

// handleDiscloseForm discloses a confirmed pair to the seeking party. Like
// a decision, it answers htmx with the pair's card and plain forms with a
// redirect back to the run.
func (s *UI) handleDiscloseForm(w http.ResponseWriter, r *http.Request, sc access.Scope) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	sought, held := r.PostFormValue("sought"), r.PostFormValue("held")
	index, _ := strconv.Atoi(r.PostFormValue("index"))
	back := safeNext(r.PostFormValue("back"))
	derr := s.db.DiscloseMatch(r.Context(), sc, sought, held)
	if derr != nil && !errs.Is(errs.Conflict, derr) {
		return derr
	}
	if r.Header.Get("HX-Request") != "true" {
		if derr != nil {
			return derr
		}
		s.redirect(w, r, back)
		return nil
	}
	c, err := s.findCandidate(r, sc, mustInt64(r.PostFormValue("run")), sought, held)
	if err != nil {
		return err
	}
	card, err := s.card(r, sc, c, index, back)
	if err != nil {
		return err
	}
	if derr != nil {
		card.Error = refusalText(card.chrome, derr)
	} else {
		card.Note = card.T("match.disclosed", card.Sought.Party)
	}
	s.render(w, r, http.StatusOK, "candidate_row.html", card)
	return nil
}
