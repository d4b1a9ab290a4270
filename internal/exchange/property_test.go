package exchange

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/synth"
)

// TestAgeRangeProperty checks that the ages a partial birth date allows
// are exactly those of the full dates it can stand for: never narrower (a
// band would be decided wrongly) and never wider (a decidable case would
// be left undecided).
func TestAgeRangeProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		ref := day(2020, 1, 1).AddDate(0, 0, rng.IntN(3000))
		y := 1960 + rng.IntN(50)
		var d person.Date
		var first, last time.Time
		if rng.IntN(2) == 0 {
			d = person.Date{Year: y}
			first, last = day(y, 1, 1), day(y, 12, 31)
		} else {
			m := 1 + rng.IntN(12)
			d = person.Date{Year: y, Month: m}
			first, last = day(y, time.Month(m), 1), day(y, time.Month(m)+1, 0)
		}
		lo, hi, ok := ageRange(d, ref)
		if !ok {
			t.Fatalf("%s at %s: not ok", d, ref.Format(time.DateOnly))
		}
		seen := map[int]bool{}
		for b := first; !b.After(last); b = b.AddDate(0, 0, 1) {
			full := person.Date{Year: b.Year(), Month: int(b.Month()), Day: b.Day()}
			a, _ := full.AgeAt(ref)
			seen[a] = true
			if a < lo || a > hi {
				t.Fatalf("%s at %s: range %d–%d, but born %s makes %d", d, ref.Format(time.DateOnly), lo, hi, full, a)
			}
		}
		if !seen[lo] || !seen[hi] {
			t.Fatalf("%s at %s: range %d–%d is wider than the ages %v", d, ref.Format(time.DateOnly), lo, hi, seen)
		}
	}
}

// TestDiffProperty checks that a diff takes the previous version to the
// next: drop the removed, replace the changed, add the added.
func TestDiffProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	cats := []person.Category{person.Military, person.Civilian, person.SeriouslyWoundedSick}
	for range 200 {
		gen := func() ListVersion {
			var v ListVersion
			for _, i := range rng.Perm(40)[:rng.IntN(40)] {
				v.Items = append(v.Items, Item{RecordID: fmt.Sprintf("r%02d", i), Category: cats[rng.IntN(3)], Stage: rng.IntN(3)})
			}
			return v
		}
		prev, next := gen(), gen()
		d := Diff(&prev, &next)
		got := map[string]Item{}
		for _, it := range prev.Items {
			got[it.RecordID] = it
		}
		for _, c := range d.Removed {
			delete(got, c.RecordID)
		}
		for _, c := range slices.Concat(d.Changed, d.Added) {
			got[c.RecordID] = *c.After
		}
		if len(got) != len(next.Items) {
			t.Fatalf("%d items after applying the diff, want %d", len(got), len(next.Items))
		}
		for _, it := range next.Items {
			if g := got[it.RecordID]; !g.same(&it) {
				t.Fatalf("%s: %+v after applying the diff, want %+v", it.RecordID, g, it)
			}
		}
	}
}

// TestCheckSynthetic runs eligibility over a generated register: every
// decision is reproducible, and a birth date given as a year alone is
// decided only when both possible ages fall on the same side of the band.
func TestCheckSynthetic(t *testing.T) {
	ref := day(2025, 6, 2)
	recs := synth.New(synth.Config{Seed: 1, Ref: ref}).Records("UA", person.Held, 2000)
	terms := june2()
	undecided, eligible := 0, 0
	for i := range recs {
		rec := person.Record{ID: hid("UA", i), Version: 1, Party: "RU", Fields: recs[i]}
		p := PersonOf(&rec, Evidence{})
		v := terms.Check(&p)
		if !slices.Equal(codes(v), codes(terms.Check(&p))) {
			t.Fatal("Check is not deterministic")
		}
		if len(v) == 0 {
			eligible++
		}
		for _, x := range v {
			if x.Code == VAgeUndecidable {
				undecided++
				if p.BirthDate.Precision() == "day" {
					t.Errorf("%s: a full birth date %s left undecided", p.RecordID, p.BirthDate)
				}
			}
		}
	}
	t.Logf("%d records: %d eligible, %d undecidable ages", len(recs), eligible, undecided)
	if eligible == 0 {
		t.Error("no generated soldier aged 18–25 is eligible")
	}
}
