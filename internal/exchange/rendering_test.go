package exchange

import (
	"os"
	"slices"
	"testing"

	"github.com/handover-project/handover/internal/audit"
)

// renderingOf renders a document as a true rendering would: each person
// of each list and reserve once.
func renderingOf(a *Agreement) []RenderedPerson {
	var rows []RenderedPerson
	for _, sd := range a.Sides {
		for _, p := range slices.Concat(sd.Persons, sd.Reserve) {
			rows = append(rows, RenderedPerson{Party: sd.Party, Stage: p.Stage, Category: p.Category, RecordID: p.RecordID, Commitment: p.Commitment})
		}
	}
	return rows
}

func TestCheckRendering(t *testing.T) {
	text, err := os.ReadFile("testdata/agreement-v1.txt")
	if err != nil {
		t.Fatal(err)
	}
	a, err := ParseAgreement(text)
	if err != nil {
		t.Fatal(err)
	}
	other := audit.Digest{1, 2, 3}
	type want struct{ code, id string }
	for _, tc := range []struct {
		name   string
		change func([]RenderedPerson) []RenderedPerson
		want   []want
	}{
		{"true", func(r []RenderedPerson) []RenderedPerson { return r }, nil},
		{"reordered", func(r []RenderedPerson) []RenderedPerson { slices.Reverse(r); return r }, nil},
		{"one left out", func(r []RenderedPerson) []RenderedPerson { return r[1:] },
			[]want{{RenderingMissing, "UA-h00001"}}},
		{"a person not in the document", func(r []RenderedPerson) []RenderedPerson {
			return append(r, RenderedPerson{Party: "RU", Stage: 1, Category: "military", RecordID: "RU-h09999", Commitment: other})
		}, []want{{RenderingExtra, "RU-h09999"}}},
		{"another record under a document's commitment", func(r []RenderedPerson) []RenderedPerson {
			r[0].RecordID = "UA-h09999"
			return r
		}, []want{{RenderingMissing, "UA-h00001"}, {RenderingExtra, "UA-h09999"}}},
		{"another commitment for a document's record", func(r []RenderedPerson) []RenderedPerson {
			r[0].Commitment = other
			return r
		}, []want{{RenderingMissing, "UA-h00001"}, {RenderingExtra, "UA-h00001"}}},
		{"shown twice", func(r []RenderedPerson) []RenderedPerson { return append(r, r[0]) },
			[]want{{RenderingTwice, "UA-h00001"}}},
		{"moved to another stage", func(r []RenderedPerson) []RenderedPerson { r[0].Stage = 2; return r },
			[]want{{RenderingMoved, "UA-h00001"}}},
		{"under the other party", func(r []RenderedPerson) []RenderedPerson { r[0].Party = "RU"; return r },
			[]want{{RenderingMoved, "UA-h00001"}}},
		{"nothing rendered", func([]RenderedPerson) []RenderedPerson { return nil }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := CheckRendering(a, tc.change(renderingOf(a)))
			if tc.name == "nothing rendered" {
				if n := len(renderingOf(a)); len(got) != n {
					t.Fatalf("got %d problems, want one per person (%d): %v", len(got), n, got)
				}
				return
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i, w := range tc.want {
				if got[i].Code != w.code || got[i].Args[0] != w.id {
					t.Errorf("problem %d: got %s %v, want %s %s", i, got[i].Code, got[i].Args, w.code, w.id)
				}
			}
		})
	}
}
