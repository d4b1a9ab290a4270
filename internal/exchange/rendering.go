package exchange

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// A rendering of an agreement is the document's persons shown as people
// (names, dates, service numbers) on a page or a printed copy. The
// document itself holds only record ids and commitments, so a reader
// cannot check a name against it; what can be checked is that the
// rendering shows every person of the document, by the record id and
// commitment the document holds, and no one else. CheckRendering does
// that check; a page shows its result beside the rendering.

// RenderedPerson is one row of a rendering as the rendering shows it: the
// releasing party, the stage (0 on the reserve), the category, and the
// record id and commitment shown beside the person's name.
type RenderedPerson struct {
	Party    string          `json:"party"`
	Stage    int             `json:"stage"` // 0: the reserve
	Category person.Category `json:"category"`
	RecordID string          `json:"record_id"`
	// Commitment is written by whoever writes the row (hex in JSON).
	Commitment audit.Digest `json:"-"`
}

// Codes of the problems CheckRendering reports, each with the record id
// and the party as its arguments.
const (
	// RenderingMissing: a person of the document the rendering does not
	// show.
	RenderingMissing = "rendering_missing"
	// RenderingExtra: a person the rendering shows whom the document does
	// not hold (another record id, or a commitment the document does not
	// hold for that record).
	RenderingExtra = "rendering_extra"
	// RenderingMoved: a person shown under another party, stage or
	// category than the document puts them in.
	RenderingMoved = "rendering_moved"
	// RenderingTwice: a person shown more than once.
	RenderingTwice = "rendering_twice"
)

// CheckRendering checks a rendering against the document it renders: every
// person of the document (lists and reserves) shown once, with the record
// id and commitment the document holds, under the party, stage and
// category the document gives; no one else. It returns the problems, in
// the order of the document and then of the rendering; none when the
// rendering is true to the document.
func CheckRendering(a *Agreement, rows []RenderedPerson) []errs.FieldError {
	type key struct {
		id string
		c  audit.Digest
	}
	want := map[key]RenderedPerson{}
	var order []key
	for _, sd := range a.Sides {
		for _, p := range slices.Concat(sd.Persons, sd.Reserve) {
			k := key{p.RecordID, p.Commitment}
			want[k] = RenderedPerson{Party: sd.Party, Stage: p.Stage, Category: p.Category, RecordID: p.RecordID, Commitment: p.Commitment}
			order = append(order, k)
		}
	}
	// One literal per code: every code of a field error is a constant the
	// locale's tests find.
	at := func(fe errs.FieldError, id, party string, args ...string) errs.FieldError {
		fe.Field, fe.Args = "record_id", append([]string{id, party}, args...)
		fe.Message = fmt.Sprintf("record %s (%s): %s", id, party, fe.Message)
		return fe
	}
	problem := map[string]errs.FieldError{
		RenderingMissing: {Code: RenderingMissing, Message: "in the document, not shown"},
		RenderingExtra:   {Code: RenderingExtra, Message: "shown, not in the document with this commitment"},
		RenderingMoved:   {Code: RenderingMoved, Message: "shown under another party, stage or category than the document's"},
		RenderingTwice:   {Code: RenderingTwice, Message: "shown more than once"},
	}
	seen := map[key]int{}
	var extra, moved []errs.FieldError
	for _, r := range rows {
		k := key{r.RecordID, r.Commitment}
		w, ok := want[k]
		if !ok {
			extra = append(extra, at(problem[RenderingExtra], r.RecordID, r.Party))
			continue
		}
		seen[k]++
		if seen[k] == 2 {
			moved = append(moved, at(problem[RenderingTwice], r.RecordID, r.Party))
		}
		if w.Party != r.Party || w.Stage != r.Stage || w.Category != r.Category {
			moved = append(moved, at(problem[RenderingMoved], r.RecordID, r.Party, strconv.Itoa(r.Stage), string(r.Category)))
		}
	}
	var out []errs.FieldError
	for _, k := range order {
		if seen[k] == 0 {
			out = append(out, at(problem[RenderingMissing], k.id, want[k].Party))
		}
	}
	return slices.Concat(out, moved, extra)
}
