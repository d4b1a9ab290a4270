package casework

import (
	"cmp"
	"slices"
	"strings"
)

// Item is a case on a bureau's worklist with what is due on it today.
type Item struct {
	Case *Case
	Due  []Due
}

// Overdue reports whether anything on the case is overdue.
func (it Item) Overdue() bool { return len(it.Due) > 0 && it.Due[0].Overdue }

// Filter narrows a worklist. The zero Filter keeps every case.
type Filter struct {
	State    State  // open or closed; "" for both
	Assignee string // cases with an open task of this login
	Overdue  bool   // only cases with something overdue
	Shared   *bool  // only shared (or only unshared) cases
}

// Keep reports whether it passes the filter.
func (f Filter) Keep(it Item) bool {
	if f.State != "" && it.Case.State != f.State {
		return false
	}
	if f.Overdue && !it.Overdue() {
		return false
	}
	if f.Shared != nil && it.Case.Shared != *f.Shared {
		return false
	}
	if f.Assignee != "" {
		for _, d := range it.Due {
			if d.Task != 0 && d.Assignee == f.Assignee {
				return true
			}
		}
		return false
	}
	return true
}

// Worklist keeps the items the filter passes and orders them as a bureau
// works them: cases with something overdue first, then by the earliest
// date due (cases with nothing dated after), then the oldest case first.
func Worklist(items []Item, f Filter) []Item {
	var out []Item
	for _, it := range items {
		if f.Keep(it) {
			out = append(out, it)
		}
	}
	slices.SortStableFunc(out, func(a, b Item) int {
		if a.Overdue() != b.Overdue() {
			if a.Overdue() {
				return -1
			}
			return 1
		}
		da, db := firstDate(a), firstDate(b)
		if (da == "") != (db == "") {
			if da == "" {
				return 1
			}
			return -1
		}
		return cmp.Or(strings.Compare(da, db), a.Case.Opened().Compare(b.Case.Opened()), strings.Compare(a.Case.ID, b.Case.ID))
	})
	return out
}

func firstDate(it Item) string {
	for _, d := range it.Due {
		if !d.Date.IsZero() {
			return d.Date.String()
		}
	}
	return ""
}
