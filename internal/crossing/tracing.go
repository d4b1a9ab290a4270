package crossing

import (
	"fmt"
	"time"
)

// This file turns the facts the store loads about some records into their
// traces: which record stands for which subject, and what each list,
// agreement, stage and identification says about them. The store loads;
// [Tracing] decides.

// TraceSubject is a record whose trace is asked for: a sought record (the
// usual case: a family asks) or a held one.
type TraceSubject struct {
	ID     string
	Party  string
	Sought bool
	// Reported is when the sought record was entered: its reported fact.
	Reported time.Time
}

// MatchDecision is one decision on a pair of a sought and a held record,
// as the store keeps them: the latest decision of a pair stands.
type MatchDecision struct {
	Sought, Held string
	Confirmed    bool
	At           time.Time
}

// HeldRecord is what a trace needs of a held record a confirmed match
// links a subject to: its party, and whether that party withholds it
// (transmission detrimental: GC IV Art. 137(2), or the person's own request in the neutral's interview).
type HeldRecord struct {
	Party    string
	Withheld bool
}

// Tracing gathers the facts about its subjects. Build it with [NewTracing],
// feed it what the store read (in the order the store keeps it), then ask
// [Tracing.Traces]. It is not safe for concurrent use.
type Tracing struct {
	subjects []TraceSubject
	facts    map[string][]TraceFact
	// tracked maps a record id that stands for a subject (the subject
	// itself, or the held record a confirmed match links it to) to the
	// subjects it stands for.
	tracked map[string][]string
	// side is the holding party of each tracked held record: the side
	// that releases it in a stage ([Tracing.StageFacts]).
	side   map[string]string
	listed map[string]bool // exchange + record: listed already
}

// ConfirmedHeld returns the held records that the latest decision of a pair
// with one of the sought records confirms, in decision order: the records
// whose party and withholding [NewTracing] needs.
func ConfirmedHeld(decisions []MatchDecision) []string {
	var out []string
	for _, d := range latestDecisions(decisions) {
		if d.Confirmed {
			out = append(out, d.Held)
		}
	}
	return out
}

// latestDecisions returns the latest decision of each pair, pairs in the
// order of their first decision.
func latestDecisions(decisions []MatchDecision) []MatchDecision {
	type pair struct{ sought, held string }
	at := map[pair]int{}
	var out []MatchDecision
	for _, d := range decisions {
		p := pair{d.Sought, d.Held}
		if i, ok := at[p]; ok {
			out[i] = d
			continue
		}
		at[p] = len(out)
		out = append(out, d)
	}
	return out
}

// NewTracing starts the traces of subjects: a sought subject was reported
// when it was entered; the held record that the latest decision of a pair
// confirms stands for the sought subject from the decision on, unless its
// party withholds it (held says which; a record missing from held is not
// followed). decisions are in the order they were made; those of records
// not among the subjects are ignored.
func NewTracing(subjects []TraceSubject, decisions []MatchDecision, held map[string]HeldRecord) *Tracing {
	t := &Tracing{subjects: subjects, facts: map[string][]TraceFact{}, tracked: map[string][]string{}, side: map[string]string{}, listed: map[string]bool{}}
	for _, s := range subjects {
		t.tracked[s.ID] = append(t.tracked[s.ID], s.ID)
		if s.Sought {
			t.facts[s.ID] = append(t.facts[s.ID], TraceFact{Status: TraceReported, At: s.Reported, Source: "record:" + s.ID})
		} else {
			t.side[s.ID] = s.Party
		}
	}
	for _, d := range latestDecisions(decisions) {
		h, ok := held[d.Held]
		if _, subject := t.tracked[d.Sought]; !subject || !d.Confirmed || !ok || h.Withheld {
			continue
		}
		t.facts[d.Sought] = append(t.facts[d.Sought], TraceFact{Status: TraceConfirmedCaptive, At: d.At, Source: "match:" + d.Held})
		t.tracked[d.Held] = append(t.tracked[d.Held], d.Sought)
		t.side[d.Held] = h.Party
	}
	return t
}

// Tracks reports whether a record stands for one of the subjects.
func (t *Tracing) Tracks(recordID string) bool {
	_, ok := t.tracked[recordID]
	return ok
}

func (t *Tracing) add(recordID string, f TraceFact) {
	for _, s := range t.tracked[recordID] {
		t.facts[s] = append(t.facts[s], f)
	}
}

// Listed records a submitted list version: the first version of any list
// of an exchange that names a tracked record lists it. Feed the versions
// in the order they were submitted.
func (t *Tracing) Listed(exchange, party, kind string, version int, at time.Time, recordIDs []string) {
	for _, id := range recordIDs {
		k := exchange + "\x00" + id
		if t.Tracks(id) && !t.listed[k] {
			t.listed[k] = true
			t.add(id, TraceFact{Status: TraceListed, At: at, Stage: StageRef{Exchange: exchange}, Source: fmt.Sprintf("list:%s/%s/%s/%d", exchange, party, kind, version)})
		}
	}
}

// Agreed records the signed agreement of an exchange in effect (version,
// when its last signature was made) with every person it lists, reserves
// included.
func (t *Tracing) Agreed(exchange string, version int, signedAt time.Time, recordIDs []string) {
	for _, id := range recordIDs {
		if t.Tracks(id) {
			t.add(id, TraceFact{Status: TraceAgreed, At: signedAt, Stage: StageRef{Exchange: exchange}, Source: fmt.Sprintf("agreement:%s/%d", exchange, version)})
		}
	}
}

// StageFacts records what a stage's events say about the tracked held
// records ([Stage.TraceFacts]).
func (t *Tracing) StageFacts(s *Stage) {
	for id, side := range t.side {
		for _, f := range s.TraceFacts(side, id) {
			t.add(id, f)
		}
	}
}

// Identified records an identification of remains: a confirmed one
// identifies the record it names.
func (t *Tracing) Identified(x Identification) {
	if x.Status == IDConfirmed && x.RecordID != "" && t.Tracks(x.RecordID) {
		t.add(x.RecordID, TraceFact{Status: TraceIdentified, At: x.At, Source: "remains:" + x.Remains})
	}
}

// Died records a death in custody (GC III Art. 120): the holding
// bureau's died event of a tracked held record, recorded at at, reaches
// the subjects it stands for (the person's own side: its bureau, and
// through the family view its family).
func (t *Tracing) Died(recordID string, at time.Time, source string) {
	if t.Tracks(recordID) {
		t.add(recordID, TraceFact{Status: TraceDied, At: at, Source: source})
	}
}

// ConfirmedMissing records that the owning bureau entered a sought
// subject in its register of missing persons (GC III Art. 122), at at.
func (t *Tracing) ConfirmedMissing(recordID string, at time.Time, source string) {
	if t.Tracks(recordID) {
		t.add(recordID, TraceFact{Status: TraceConfirmedMissing, At: at, Source: source})
	}
}

// Traces derives each subject's trace ([DeriveTrace]), in the order of the
// subjects.
func (t *Tracing) Traces() ([]Trace, error) {
	out := make([]Trace, 0, len(t.subjects))
	for _, s := range t.subjects {
		tr, err := DeriveTrace(s.ID, t.facts[s.ID])
		if err != nil {
			return nil, err
		}
		out = append(out, tr)
	}
	return out, nil
}
