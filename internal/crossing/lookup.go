package crossing

import (
	"sort"
	"strings"

	"github.com/handover-project/handover/internal/names"
	"github.com/handover-project/handover/internal/person"
)

// This file is the officer's lookup at the crossing, and the family's
// search for a sought person by name: an index of some persons' names and
// service numbers, built once from their fields, that answers a query in
// any script. The store builds one per loaded stage (from the versions the
// agreement froze) and one per trace search (from the few candidates its
// terms table gives); the ranking is this file's alone.

// Why a person was found.
const (
	FoundByRecordID      = "record_id"
	FoundByServiceNumber = "service_number"
	FoundByName          = "name"
)

// Found is one person a lookup found: the record id, the score (1 for a
// service number or a record id, else the name similarity, 0..1) and why.
type Found struct {
	RecordID string
	Score    float64
	Why      string
}

// LookupIndex finds persons by record id, service number or name. It is
// read-only once built, so it may be read concurrently.
type LookupIndex struct {
	service map[string][]string         // folded service number → record ids
	keys    [3]map[string][]string      // per name part: blocking key → record ids
	parts   map[string][]names.Prepared // record id → prepared name parts
	partOf  map[string][]int            // record id → index into lookupParts of each part
}

// lookupParts are the name parts a query word is compared with, in the
// order of [LookupValues].
var lookupParts = [3]names.Part{names.Surname, names.Given, names.Patronymic}

// NewLookupIndex indexes people (record id → the fields it is found by:
// the names, the Latin spellings and the service number).
func NewLookupIndex(people map[string]person.Fields) *LookupIndex {
	ix := &LookupIndex{service: map[string][]string{}, parts: map[string][]names.Prepared{}, partOf: map[string][]int{}}
	for i := range ix.keys {
		ix.keys[i] = map[string][]string{}
	}
	ids := make([]string, 0, len(people))
	for id := range people {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		f := people[id]
		ix.parts[id] = nil // found by its id, even without a name
		if sn := person.FoldCode(f.ServiceNumber); sn != "" {
			ix.service[sn] = append(ix.service[sn], id)
		}
		for pi, vs := range LookupValues(&f) {
			for _, v := range vs {
				if strings.TrimSpace(v) == "" {
					continue
				}
				pr := names.Prepare(lookupParts[pi], v)
				ix.parts[id] = append(ix.parts[id], pr)
				ix.partOf[id] = append(ix.partOf[id], pi)
				for _, k := range pr.Keys() {
					ix.keys[pi][k] = append(ix.keys[pi][k], id)
				}
			}
		}
	}
	return ix
}

// LookupValues returns the values of each name part (surname, given
// name, patronymic) that the lookup compares a query with: the parts as
// entered, the words of the full name as surnames when there is no
// surname, and the first and second words of each Latin spelling as a
// surname and a given name.
func LookupValues(f *person.Fields) [3][]string {
	values := [3][]string{{f.Surname}, {f.GivenNames}, {f.Patronymic}}
	if f.Surname == "" && f.FullName != "" {
		values[0] = strings.Fields(f.FullName)
	}
	for _, l := range f.LatinNames {
		w := strings.Fields(l)
		if len(w) > 0 {
			values[0] = append(values[0], w[0])
		}
		if len(w) > 1 {
			values[1] = append(values[1], w[1])
		}
	}
	return values
}

// LookupKeys returns the blocking keys under which the index files a
// person with fields f, per name part (surname, given name, patronymic):
// what a store's table of search terms keeps so that it can hand a search
// only the persons worth scoring.
func LookupKeys(f *person.Fields) [3][]string {
	var out [3][]string
	for pi, vs := range LookupValues(f) {
		for _, v := range vs {
			out[pi] = append(out[pi], names.Prepare(lookupParts[pi], v).Keys()...)
		}
	}
	return out
}

// QueryKeys returns the blocking keys of one word of a query as each name
// part: a person shares one of them with the word when one of its
// [LookupKeys] of the same part is among them.
func QueryKeys(word string) [3][]string {
	var out [3][]string
	for pi, part := range lookupParts {
		out[pi] = names.Prepare(part, word).Keys()
	}
	return out
}

// Find answers a query: a record id or a service number (folded across
// scripts) exactly, else the words of a name, each compared with the name
// parts of the persons sharing one of its blocking keys; best first. A
// limit of 0 keeps every hit.
func (ix *LookupIndex) Find(q string, limit int) []Found {
	q = strings.TrimSpace(q)
	if _, ok := ix.parts[q]; ok {
		return []Found{{q, 1, FoundByRecordID}}
	}
	if sn := person.FoldCode(q); sn != "" && strings.ContainsAny(sn, "0123456789") {
		var out []Found
		for _, id := range ix.service[sn] {
			out = append(out, Found{id, 1, FoundByServiceNumber})
		}
		if len(out) > 0 {
			return out
		}
	}
	words := strings.Fields(q)
	if len(words) == 0 {
		return nil
	}
	// Candidates share a key with as many of the words as any person
	// does: with a common surname and a common given name, the persons who
	// have both, not everyone who has either.
	type count struct{ words, last int }
	cand := map[string]*count{}
	best := 0
	preps := make([][3]names.Prepared, len(words))
	for wi, w := range words {
		for pi, part := range lookupParts {
			pr := names.Prepare(part, w)
			preps[wi][pi] = pr
			for _, k := range pr.Keys() {
				for _, id := range ix.keys[pi][k] {
					c := cand[id]
					if c == nil {
						c = &count{last: -1}
						cand[id] = c
					}
					if c.last != wi {
						c.words, c.last = c.words+1, wi
						best = max(best, c.words)
					}
				}
			}
		}
	}
	var out []Found
	for id, c := range cand {
		if c.words < best {
			continue
		}
		parts, partOf := ix.parts[id], ix.partOf[id]
		total := 0.0
		for wi := range words {
			best := 0.0
			for j, pp := range parts {
				if sc := names.SimilarityPrepared(preps[wi][partOf[j]], pp); sc > best {
					best = sc
				}
			}
			total += best
		}
		score := total / float64(len(words))
		if score >= 0.6 {
			out = append(out, Found{id, score, FoundByName})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].RecordID < out[j].RecordID
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}
