package exchange

import (
	"fmt"
	"testing"

	"github.com/handover-project/handover/internal/person"
)

// agreedWorld is a world after both rounds, ready to stage and freeze.
func agreedWorld(b *testing.B, total int) (*world, map[string][]Item, StagePlan) {
	b.Helper()
	w := newWorld(b, total)
	w.round1(b)
	w.round2(b)
	agreed := Agreed(&w.ex, w.currentLists(), w.history)
	return w, agreed, w.plan(agreed)
}

func BenchmarkView(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("persons=%d", n), func(b *testing.B) {
			w := newWorld(b, n)
			w.round1(b)
			in := &ViewInput{Exchange: &w.ex, Lists: w.currentLists(), Responses: w.history, Persons: w.persons, Held: w.held}
			b.ReportAllocs()
			for b.Loop() {
				NewView(in)
			}
		})
	}
}

func BenchmarkDiff(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("items=%d", n), func(b *testing.B) {
			var prev, next ListVersion
			prev.Version, next.Version = 1, 2
			for i := range n {
				prev.Items = append(prev.Items, Item{RecordID: hid("UA", i), Category: person.Military})
				// next drops every tenth, changes every seventh, adds n/10
				if i%10 != 0 {
					it := Item{RecordID: hid("UA", i), Category: person.Military}
					if i%7 == 0 {
						it.Category, it.Reason = person.SeriouslyWoundedSick, "commission"
					}
					next.Items = append(next.Items, it)
				}
			}
			for i := range n / 10 {
				next.Items = append(next.Items, Item{RecordID: hid("UA", n+i), Category: person.Civilian, Reason: "added"})
			}
			b.ReportAllocs()
			for b.Loop() {
				Diff(&prev, &next)
			}
		})
	}
}

func BenchmarkSubmit(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("items=%d", n), func(b *testing.B) {
			at := day(2025, 5, 17)
			var items []Item
			for i := range n {
				items = append(items, Item{RecordID: hid("UA", i), Category: person.Military})
			}
			v1, _, err := Submit(NewDraft("ex", "UA", Offer, nil, items, "list"), nil, at, "user:1")
			noErr(b, err)
			d := NewDraft("ex", "UA", Offer, &v1, items[n/10:], "list")
			for _, it := range items[:n/10] {
				d.Removed = append(d.Removed, Removal{RecordID: it.RecordID, Reason: "struck"})
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := Submit(d, &v1, at, "user:1"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkFreezeVerify(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("persons=%d", n), func(b *testing.B) {
			w, agreed, plan := agreedWorld(b, n)
			in := FreezeInput{Exchange: &w.ex, Agreed: agreed, Plan: plan, Commitments: w.commitments(agreed), Log: testCheckpoint()}
			var keys []SignerKey
			var lines []string
			_, doc, err := Freeze(in)
			noErr(b, err)
			for _, r := range []string{"UA", "RU", Mediator} {
				s, k := testKey(b, r+"-approver", "")
				k.Role = r
				keys = append(keys, k)
				line, err := Sign(doc, s)
				noErr(b, err)
				lines = append(lines, line)
			}
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			for b.Loop() {
				_, doc, err := Freeze(in)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := Verify(AddSignatures(doc, lines...), keys, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCheck(b *testing.B) {
	terms := june2()
	p := Person{Category: person.Military, BirthDate: mustDate("2003-04-05")}
	for b.Loop() {
		terms.Check(&p)
	}
}
