// Package backlog is a bureau's backlog across exchange rounds (issue 20;
// docs/design/law.md, "The backlog across rounds"): for each of a party's
// sought persons, every request of him in every exchange, every answer of
// the holding party, and what happened to him at the crossing (no-show,
// refusal, return), with dates; the priority flags the bureau sets; and the
// persons still unresolved, carried into the next round's request list with
// the reason.
//
// Nothing here is a second copy of the truth: [Build] derives the history
// from facts the store already keeps (the party's request list versions,
// the answers to them, the person's trace) and adds only the flags, the one
// thing the bureau records for the backlog alone. The package is pure: no
// SQL, HTTP, clock or randomness.
package backlog

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
)

// Round is one exchange a party took part in, numbered from 1 in the order
// the exchanges were opened: "round 3" is the party's third exchange.
type Round struct {
	Number   int    `json:"number"`
	Exchange string `json:"exchange"`
	Name     string `json:"name"`
}

// Kind is what an event of a person's backlog says.
type Kind string

// Kinds of event. The list is append-only.
const (
	Requested    Kind = "requested"     // first named on a version of the party's request list in the round
	Struck       Kind = "struck"        // dropped from the request list, with the reason the version gives
	Answered     Kind = "answered"      // an answer of the holding party on the request (Answer, Reason)
	Agreed       Kind = "agreed"        // on the signed agreement of the round
	NotPresented Kind = "not_presented" // not brought to the crossing at a stage (a no-show), or a reserve went in his place
	Cancelled    Kind = "cancelled"     // the stage he was planned in was cancelled
	Refused      Kind = "refused"       // refused repatriation at the crossing (GC III Art. 109(3))
	Returned     Kind = "returned"      // handed over: home
	Died         Kind = "died"          // died (GC III Art. 120)
	Identified   Kind = "identified"    // his remains were identified
)

// Event is one dated fact of a person's backlog.
type Event struct {
	Kind     Kind      `json:"kind"`
	At       time.Time `json:"at"`
	Round    int       `json:"round,omitempty"`
	Exchange string    `json:"exchange,omitempty"`
	// Version is the request list version (requested, struck, answered).
	Version int             `json:"version,omitempty"`
	Answer  exchange.Answer `json:"answer,omitempty"`
	// Reason is the answer's reason, or the strike's.
	Reason string `json:"reason,omitempty"`
	Stage  int    `json:"stage,omitempty"`
}

// Tally is how many rounds ended with one answer standing.
type Tally struct {
	Answer exchange.Answer `json:"answer"`
	N      int             `json:"n"`
}

// Person is one sought person's backlog.
type Person struct {
	RecordID string          `json:"record_id"`
	Category person.Category `json:"category,omitempty"`
	// HeldRecordID is the other side's held record the latest request
	// linked him to, if any: carried into the next request.
	HeldRecordID string  `json:"held_record_id,omitempty"`
	Events       []Event `json:"events"`
	// Rounds are the rounds he was requested in, in order.
	Rounds []int `json:"rounds"`
	// Answers counts, over the rounds he was requested in, the answer that
	// stood at the end of each (the latest given), most frequent first.
	Answers []Tally `json:"answers"`
	// LastAnswer is the latest answer given on him, in any round.
	LastAnswer *Event `json:"last_answer,omitempty"`
	NoShows    int    `json:"no_shows"`
	Refusals   int    `json:"refusals"`
	// Released: handed over at a crossing.
	Released bool `json:"released"`
	// Resolved: released, died, or his remains identified. The rest is
	// the backlog.
	Resolved bool  `json:"resolved"`
	Flags    Flags `json:"flags"`
}

// Requested reports how many rounds he was requested in.
func (p *Person) Requested() int { return len(p.Rounds) }

// RefusedLast reports whether the latest word on him is his own refusal:
// at the crossing, or the holder's answer that he refuses to be exchanged.
// Such a person is not carried into the next request by itself: he may not
// be repatriated against his will (GC III Art. 109(3)); the bureau may
// still request him.
func (p *Person) RefusedLast() bool {
	for i := len(p.Events) - 1; i >= 0; i-- {
		switch e := p.Events[i]; e.Kind {
		case Refused:
			return true
		case Answered:
			return e.Answer == exchange.RefusesExchange
		case Returned, NotPresented, Cancelled:
			return false
		}
	}
	return false
}

// Input is what [Build] derives the backlog from, as the store loads it.
type Input struct {
	// Party is the bureau whose sought persons these are.
	Party string
	// Rounds are the exchanges the party took part in, numbered in the
	// order they were opened.
	Rounds []Round
	// Requests are the party's request list versions (submitted), each
	// exchange's in version order.
	Requests []exchange.ListVersion
	// Answers are the answers on the party's request lists, in the order
	// they were given.
	Answers []exchange.Response
	// Traces are the persons' traces, by sought record id: what the
	// agreements and the crossing said of them.
	Traces map[string]crossing.Trace
	// Flags are the bureau's priority flags, by sought record id.
	Flags map[string]Flags
}

// Build derives the backlog of every person requested in some round or
// flagged by the bureau, ordered as a bureau reads it ([Less]).
func Build(in Input) []Person {
	round := make(map[string]int, len(in.Rounds))
	for _, r := range in.Rounds {
		round[r.Exchange] = r.Number
	}
	persons := map[string]*Person{}
	get := func(id string) *Person {
		p, ok := persons[id]
		if !ok {
			p = &Person{RecordID: id, Events: []Event{}, Rounds: []int{}, Answers: []Tally{}}
			persons[id] = p
		}
		return p
	}
	type key struct{ ex, id string }
	on := map[key]bool{} // on the latest version seen of the exchange's request list
	for i := range in.Requests {
		v := &in.Requests[i]
		if v.Party != in.Party || v.Kind != exchange.Request || round[v.Exchange] == 0 {
			continue
		}
		r := round[v.Exchange]
		for _, it := range v.Items {
			p := get(it.RecordID)
			k := key{v.Exchange, it.RecordID}
			if !on[k] {
				p.Events = append(p.Events, Event{Kind: Requested, At: v.SubmittedAt, Round: r, Exchange: v.Exchange, Version: v.Version})
				on[k] = true
				if !slices.Contains(p.Rounds, r) {
					p.Rounds = append(p.Rounds, r)
				}
			}
			p.Category, p.HeldRecordID = it.Category, it.HeldRecordID
		}
		for _, rm := range v.Removed {
			k := key{v.Exchange, rm.RecordID}
			if on[k] {
				on[k] = false
				p := get(rm.RecordID)
				p.Events = append(p.Events, Event{Kind: Struck, At: v.SubmittedAt, Round: r, Exchange: v.Exchange, Version: v.Version, Reason: rm.Reason})
			}
		}
	}
	standing := map[key]exchange.Answer{}
	for _, a := range in.Answers {
		if a.ListParty != in.Party || a.ListKind != exchange.Request || round[a.Exchange] == 0 {
			continue
		}
		p, ok := persons[a.RecordID]
		if !ok {
			continue // answered on a list the input does not hold
		}
		e := Event{Kind: Answered, At: a.At, Round: round[a.Exchange], Exchange: a.Exchange, Version: a.ListVersion, Answer: a.Answer, Reason: a.Reason}
		p.Events = append(p.Events, e)
		p.LastAnswer = &p.Events[len(p.Events)-1]
		standing[key{a.Exchange, a.RecordID}] = a.Answer
	}
	for id, f := range in.Flags {
		if !f.Empty() {
			get(id).Flags = f
		}
	}
	out := make([]Person, 0, len(persons))
	for id, p := range persons {
		for _, f := range in.Traces[id].History {
			e := Event{At: f.At, Exchange: f.Stage.Exchange, Round: round[f.Stage.Exchange], Stage: f.Stage.Stage}
			switch f.Status {
			case crossing.TraceAgreed:
				e.Kind, e.Stage = Agreed, 0
			case crossing.TraceReturned:
				e.Kind = Returned
				p.Released, p.Resolved = true, true
			case crossing.TraceRefused:
				e.Kind = Refused
				p.Refusals++
			case crossing.TraceConfirmedCaptive:
				switch {
				case f.Stage.Stage == 0:
					continue // a confirmed match, not the crossing
				case f.Outcome == crossing.OutcomeNotPresented || f.Outcome == crossing.OutcomeReplaced:
					e.Kind = NotPresented
					p.NoShows++
				default:
					e.Kind = Cancelled
				}
			case crossing.TraceDied:
				e.Kind = Died
				p.Resolved = true
			case crossing.TraceIdentified:
				e.Kind = Identified
				p.Resolved = true
			default:
				continue
			}
			p.Events = append(p.Events, e)
		}
		// Events in time order; of one time, in the order derived.
		slices.SortStableFunc(p.Events, func(a, b Event) int { return a.At.Compare(b.At) })
		if p.LastAnswer != nil {
			for i := len(p.Events) - 1; i >= 0; i-- {
				if p.Events[i].Kind == Answered {
					p.LastAnswer = &p.Events[i]
					break
				}
			}
		}
		n := map[exchange.Answer]int{}
		for k, a := range standing {
			if k.id == id {
				n[a]++
			}
		}
		for a, c := range n {
			p.Answers = append(p.Answers, Tally{Answer: a, N: c})
		}
		slices.SortFunc(p.Answers, func(a, b Tally) int {
			return cmp.Or(b.N-a.N, slices.Index(exchange.Answers, a.Answer)-slices.Index(exchange.Answers, b.Answer))
		})
		slices.Sort(p.Rounds)
		out = append(out, *p)
	}
	slices.SortFunc(out, Less)
	return out
}

// Less orders a bureau's backlog: the unresolved first; then those
// requested in the most rounds; then the flagged; then the longest
// waiting (the earliest first request); then by record id.
func Less(a, b Person) int {
	first := func(p *Person) time.Time {
		for _, e := range p.Events {
			if e.Kind == Requested {
				return e.At
			}
		}
		return time.Time{}
	}
	flagged := func(p *Person) int {
		if p.Flags.Empty() {
			return 1
		}
		return 0
	}
	resolved := func(p *Person) int {
		if p.Resolved {
			return 1
		}
		return 0
	}
	return cmp.Or(resolved(&a)-resolved(&b), b.Requested()-a.Requested(), flagged(&a)-flagged(&b),
		first(&a).Compare(first(&b)), strings.Compare(a.RecordID, b.RecordID))
}

// Carried is a person carried into a round's request list, with what the
// reason says: the rounds he was requested in and the answers that stood.
type Carried struct {
	Item   exchange.Item `json:"item"`
	Rounds []int         `json:"rounds"`
	// Answers, NoShows and Refusals as in [Person].
	Answers  []Tally `json:"answers"`
	NoShows  int     `json:"no_shows"`
	Refusals int     `json:"refusals"`
	Flags    Flags   `json:"flags"`
}

// Carry returns who is carried into the party's request list of the round
// of exchange: every person requested in an earlier round and still
// unresolved, except those whose latest word is their own refusal (see
// [Person.RefusedLast]) and those already on listed (the exchange's
// current request list, by record id). They come in the backlog's order,
// each as a request item for his category and known held record, with the
// tallies its reason is written from ([Reason]). The backlog is built from
// in with the rounds before exchange's only.
func Carry(in Input, exchange string, listed map[string]bool) []Carried {
	n := 0
	for _, r := range in.Rounds {
		if r.Exchange == exchange {
			n = r.Number
		}
	}
	if n == 0 {
		return []Carried{}
	}
	before := in
	before.Rounds = nil
	for _, r := range in.Rounds {
		if r.Number < n {
			before.Rounds = append(before.Rounds, r)
		}
	}
	out := []Carried{}
	for _, p := range Build(before) {
		if p.Resolved || p.Requested() == 0 || p.RefusedLast() || listed[p.RecordID] || p.Category == "" {
			continue
		}
		out = append(out, Carried{
			Item:   requestItem(p),
			Rounds: p.Rounds, Answers: p.Answers, NoShows: p.NoShows, Refusals: p.Refusals, Flags: p.Flags,
		})
	}
	return out
}

func requestItem(p Person) exchange.Item {
	return exchange.Item{RecordID: p.RecordID, Category: p.Category, HeldRecordID: p.HeldRecordID}
}
