package sqlstore

import (
	"context"
	"strings"

	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/person"
)

// TraceSearchIDs returns the record ids TraceSearch would answer for party,
// best first, found through the search keys or, with scan, as before them:
// by the lookup index of every sought record of the party. Tests compare
// the two.
func (db *DB) TraceSearchIDs(ctx context.Context, party, name, birth string, limit int, scan bool) ([]string, error) {
	var subjects []traceSubject
	var err error
	if scan {
		subjects, err = db.soughtOf(ctx, party)
	} else {
		subjects, err = db.traceCandidates(ctx, party, name, birth)
	}
	if err != nil {
		return nil, err
	}
	byID := map[string]traceSubject{}
	for _, sub := range subjects {
		if birth != "" && !strings.HasPrefix(sub.fields.BirthDate.String(), birth) {
			continue
		}
		byID[sub.id] = sub
	}
	ids := []string{}
	for _, h := range traceIndex(byID).Find(name, limit) {
		if h.Why == crossing.FoundByName && h.Score >= 0.8 {
			ids = append(ids, h.RecordID)
		}
	}
	return ids, nil
}

// TermsVersion is termsVersion, for the test that guards it.
const TermsVersion = termsVersion

// RecordTerms returns the search terms of a record's fields as
// "field:term", in the order they are derived.
func RecordTerms(kind person.Kind, f person.Fields) []string {
	var out []string
	for _, t := range recordTerms(kind, &f) {
		out = append(out, t.field+":"+t.term)
	}
	return out
}
