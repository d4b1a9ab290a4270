package exchange

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// ListKind says what a party's list proposes.
type ListKind string

// Kinds of list.
const (
	// Offer lists persons the party offers to release, from its held
	// register. The accepted offers of a side are what it releases.
	Offer ListKind = "offer"
	// Request lists persons the party asks the other to release, from its
	// sought register, each optionally with the other side's held record
	// that a confirmed match links it to. An accepted request is a promise
	// by the holder to put the person on its offer list: it is released
	// only from there.
	Request ListKind = "request"
)

// Valid reports whether k is a known list kind.
func (k ListKind) Valid() bool { return k == Offer || k == Request }

// Item is one person on a list version.
type Item struct {
	// RecordID is the listing party's own record: held (offer) or sought
	// (request).
	RecordID string          `json:"record_id"`
	Category person.Category `json:"category"`
	// HeldRecordID (requests only) is the other side's held record that a
	// confirmed match links this sought record to; empty when unknown.
	HeldRecordID string `json:"held_record_id,omitempty"`
	// Stage is the preferred stage (1, 2, …); zero for none.
	Stage int `json:"stage,omitempty"`
	// Reason says why the item was added or changed in this version.
	Reason string `json:"reason,omitempty"`
}

// same reports whether a and b propose the same thing (reasons aside).
func (a *Item) same(b *Item) bool {
	return a.RecordID == b.RecordID && a.Category == b.Category && a.HeldRecordID == b.HeldRecordID && a.Stage == b.Stage
}

// Removal says why an item of the previous version is not in this one.
type Removal struct {
	RecordID string `json:"record_id"`
	Reason   string `json:"reason"`
}

// ListVersion is one version of a party's list in an exchange. A list is
// identified by (Exchange, Party, Kind); its versions count from 1. Once
// submitted a version MUST NOT change (see [ListSubmitted]).
type ListVersion struct {
	Exchange string    `json:"exchange"`
	Party    string    `json:"party"`
	Kind     ListKind  `json:"kind"`
	Version  int       `json:"version"`
	State    ListState `json:"state"`
	Items    []Item    `json:"items"`
	// Removed gives a reason for each item of the previous version that
	// this one drops. Required for every dropped item from version 2 on.
	Removed []Removal `json:"removed,omitempty"`
	// Reason summarises the version ("struck 12 at the other side's
	// request").
	Reason      string    `json:"reason,omitempty"`
	SubmittedAt time.Time `json:"submitted_at,omitzero"`
	SubmittedBy string    `json:"submitted_by,omitempty"` // opaque user id
}

// NewDraft returns the first draft of a list, or the next draft after prev
// (nil for the first), with the given items and the reason for the
// version. It copies nothing from prev but its identity: the caller passes
// the whole new list.
func NewDraft(exchange, party string, kind ListKind, prev *ListVersion, items []Item, reason string) ListVersion {
	v := ListVersion{Exchange: exchange, Party: party, Kind: kind, Version: 1, State: ListDraft, Items: slices.Clone(items), Reason: reason}
	if prev != nil {
		v.Version = prev.Version + 1
	}
	return v
}

// Validate checks v on its own and against the previous submitted version
// prev (nil for version 1): items well formed and unique, the version
// number following prev's, a reason for the version (one line), and a
// reason for every item removed or changed since prev. It returns an
// errs.Invalid error listing every problem.
func (v *ListVersion) Validate(prev *ListVersion) error {
	var fe []errs.FieldError
	add := func(f errs.FieldError, format string, args ...any) {
		fe = append(fe, problem(f, format, args...))
	}
	if !validID(v.Exchange) {
		add(errs.FieldError{Field: "exchange", Code: "bad_id"}, idRule)
	}
	if !validID(v.Party) {
		add(errs.FieldError{Field: "party", Code: "bad_id"}, idRule)
	}
	if !v.Kind.Valid() {
		add(errs.FieldError{Field: "kind", Code: "bad_list_kind"}, "must be offer or request")
	}
	if prev == nil && v.Version != 1 {
		add(errs.FieldError{Field: "version", Code: "first_version"}, "the first version is 1, not %d", v.Version)
	}
	if prev != nil {
		if prev.Exchange != v.Exchange || prev.Party != v.Party || prev.Kind != v.Kind {
			add(errs.FieldError{Field: "version", Code: "other_list_version"}, "the previous version belongs to another list")
		}
		if v.Version != prev.Version+1 {
			add(errs.FieldError{Field: "version", Code: "next_version"}, "must be %d, following version %d", prev.Version+1, prev.Version)
		}
	}
	seen := make(map[string]int, len(v.Items))
	for i := range v.Items {
		it := &v.Items[i]
		f := "items[" + strconv.Itoa(i) + "]"
		if !validID(it.RecordID) {
			add(errs.FieldError{Field: f + ".record_id", Code: "bad_id"}, idRule)
		} else if j, dup := seen[it.RecordID]; dup {
			add(errs.FieldError{Field: f + ".record_id", Code: "item_twice"}, "%s is already items[%d]", it.RecordID, j)
		}
		seen[it.RecordID] = i
		if !it.Category.Valid() || it.Category == person.RemainsCategory {
			add(errs.FieldError{Field: f + ".category", Code: "bad_list_category"}, "must be military, civilian or seriously_wounded_sick")
		}
		if it.HeldRecordID != "" && (v.Kind != Request || !validID(it.HeldRecordID)) {
			add(errs.FieldError{Field: f + ".held_record_id", Code: "held_record_request"}, "only a request names the other side's held record, as a valid id")
		}
		if it.Stage < 0 {
			add(errs.FieldError{Field: f + ".stage", Code: "negative"}, "must not be negative")
		}
		if it.Reason != "" && !validText(it.Reason) {
			add(errs.FieldError{Field: f + ".reason", Code: "one_line"}, "one line without control characters")
		}
	}
	switch {
	case strings.TrimSpace(v.Reason) == "":
		add(errs.FieldError{Field: "reason", Code: "version_reason_required"}, "required: say why this version")
	case !validText(v.Reason):
		add(errs.FieldError{Field: "reason", Code: "one_line"}, "one line without control characters")
	}
	if prev != nil {
		before := make(map[string]int, len(prev.Items))
		for i := range prev.Items {
			before[prev.Items[i].RecordID] = i
		}
		removed := make(map[string]bool, len(v.Removed))
		for i, r := range v.Removed {
			f := fmt.Sprintf("removed[%d]", i)
			_, was := before[r.RecordID]
			if _, still := seen[r.RecordID]; still || !was {
				add(errs.FieldError{Field: f + ".record_id", Code: "struck_not_removed"}, "%s was not on version %d or is still listed", r.RecordID, prev.Version)
			}
			switch {
			case strings.TrimSpace(r.Reason) == "":
				add(errs.FieldError{Field: f + ".reason", Code: "strike_reason_required"}, "required: say why the person was struck")
			case !validText(r.Reason):
				add(errs.FieldError{Field: f + ".reason", Code: "one_line"}, "one line without control characters")
			}
			removed[r.RecordID] = true
		}
		for i := range prev.Items {
			if _, still := seen[prev.Items[i].RecordID]; !still && !removed[prev.Items[i].RecordID] {
				add(errs.FieldError{Field: "removed", Code: "removed_no_reason"}, "%s was on version %d: give a reason for removing it", prev.Items[i].RecordID, prev.Version)
			}
		}
		for i := range v.Items {
			if j, was := before[v.Items[i].RecordID]; was && !prev.Items[j].same(&v.Items[i]) && v.Items[i].Reason == "" {
				add(errs.FieldError{Field: fmt.Sprintf("items[%d].reason", i), Code: "changed_reason_required"}, "required: the item changed since version %d", prev.Version)
			}
		}
	} else if len(v.Removed) > 0 {
		add(errs.FieldError{Field: "removed", Code: "first_removes_nothing"}, "the first version removes nothing")
	}
	if fe != nil {
		return errs.E("exchange.ListVersion.Validate", errs.Invalid, "invalid list version", fe)
	}
	return nil
}

func (v *ListVersion) find(id string) int {
	for i := range v.Items {
		if v.Items[i].RecordID == id {
			return i
		}
	}
	return -1
}

// Item returns the item for a record id.
func (v *ListVersion) Item(recordID string) (Item, bool) {
	if i := v.find(recordID); i >= 0 {
		return v.Items[i], true
	}
	return Item{}, false
}

// CheckEditable returns an errs.Conflict error unless v is a draft: a
// submitted version MUST NOT change.
func (v *ListVersion) CheckEditable() error {
	if v.State != ListDraft {
		return errs.Errorf("exchange.ListVersion.CheckEditable", errs.Conflict,
			"list version %d is %s and can no longer change: make a new version", v.Version, v.State)
	}
	return nil
}

// Submit moves the draft v to submitted at time at by user by, after
// validating it against prev, the current submitted version (nil for the
// first). It returns the submitted version and prev superseded; the store
// writes both, with a list.submitted leaf committing to Canonical, in one
// transaction. A stale draft (prev is not the version it follows) is
// errs.Conflict.
func Submit(v ListVersion, prev *ListVersion, at time.Time, by string) (submitted ListVersion, superseded *ListVersion, err error) {
	const op = "exchange.Submit"
	if !v.State.CanMove(ListSubmitted) {
		return v, nil, errs.Errorf(op, errs.Conflict, "list version %d is %s, not a draft", v.Version, v.State)
	}
	if prev != nil {
		if !prev.State.CanMove(ListSuperseded) {
			return v, nil, errs.Errorf(op, errs.Conflict, "version %d is %s and cannot be superseded", prev.Version, prev.State)
		}
		if v.Version != prev.Version+1 {
			return v, nil, errs.Errorf(op, errs.Conflict,
				"the draft is version %d but the list is at version %d: start a new draft", v.Version, prev.Version)
		}
	}
	if err := v.Validate(prev); err != nil {
		return v, nil, errs.E(op, err)
	}
	if at.IsZero() || by == "" {
		return v, nil, errs.E(op, errs.Invalid, "submission time and user are required")
	}
	v.Items = slices.Clone(v.Items)
	v.State, v.SubmittedAt, v.SubmittedBy = ListSubmitted, at.UTC(), by
	if prev != nil {
		p := *prev
		p.State = ListSuperseded
		superseded = &p
	}
	return v, superseded, nil
}

// Canonical returns the canonical bytes of a list version, to which the
// list.submitted log leaf commits (audit.Commit(audit.TagList, nonce, …)):
// a header line, then one line per item sorted by record id, then one per
// removal; fields separated by single spaces, free text last and quoted
// with strconv.Quote. Submission time and user are in the leaf, not here.
func (v *ListVersion) Canonical() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "handover list v1\nexchange %s\nparty %s\nkind %s\nversion %d\nreason %s\n",
		v.Exchange, v.Party, v.Kind, v.Version, strconv.Quote(v.Reason))
	items := slices.Clone(v.Items)
	slices.SortFunc(items, func(a, b Item) int { return strings.Compare(a.RecordID, b.RecordID) })
	for _, it := range items {
		held := it.HeldRecordID
		if held == "" {
			held = "-"
		}
		fmt.Fprintf(&b, "item %s %s %s %d %s\n", it.RecordID, it.Category, held, it.Stage, strconv.Quote(it.Reason))
	}
	rem := slices.Clone(v.Removed)
	slices.SortFunc(rem, func(a, b Removal) int { return strings.Compare(a.RecordID, b.RecordID) })
	for _, r := range rem {
		fmt.Fprintf(&b, "removed %s %s\n", r.RecordID, strconv.Quote(r.Reason))
	}
	return []byte(b.String())
}

// Change is one difference between two versions of a list, with the reason
// the later version gives for it.
type Change struct {
	RecordID string `json:"record_id"`
	Before   *Item  `json:"before,omitempty"` // nil when added
	After    *Item  `json:"after,omitempty"`  // nil when removed
	Reason   string `json:"reason,omitempty"`
}

// ListDiff is the difference from one version of a list to the next. Each
// slice is sorted by record id.
type ListDiff struct {
	From    int      `json:"from"` // 0 when next is the first version
	To      int      `json:"to"`
	Added   []Change `json:"added"`
	Removed []Change `json:"removed"`
	Changed []Change `json:"changed"`
}

// Empty reports whether nothing changed.
func (d *ListDiff) Empty() bool { return len(d.Added)+len(d.Removed)+len(d.Changed) == 0 }

// Diff returns the difference from prev to next (prev nil: everything
// is added). Items are compared by record id; an item whose category, held
// record or stage differs is changed. It runs in O(n log n).
func Diff(prev, next *ListVersion) ListDiff {
	d := ListDiff{To: next.Version}
	before := map[string]int{}
	if prev != nil {
		d.From = prev.Version
		before = make(map[string]int, len(prev.Items))
		for i := range prev.Items {
			before[prev.Items[i].RecordID] = i
		}
	}
	inNext := make(map[string]bool, len(next.Items))
	for i := range next.Items {
		it := &next.Items[i]
		inNext[it.RecordID] = true
		j, was := before[it.RecordID]
		switch {
		case !was:
			d.Added = append(d.Added, Change{RecordID: it.RecordID, After: it, Reason: it.Reason})
		case !prev.Items[j].same(it):
			d.Changed = append(d.Changed, Change{RecordID: it.RecordID, Before: &prev.Items[j], After: it, Reason: it.Reason})
		}
	}
	if prev != nil {
		why := make(map[string]string, len(next.Removed))
		for _, r := range next.Removed {
			why[r.RecordID] = r.Reason
		}
		for i := range prev.Items {
			it := &prev.Items[i]
			if !inNext[it.RecordID] {
				d.Removed = append(d.Removed, Change{RecordID: it.RecordID, Before: it, Reason: why[it.RecordID]})
			}
		}
	}
	for _, s := range [][]Change{d.Added, d.Removed, d.Changed} {
		slices.SortFunc(s, func(a, b Change) int { return strings.Compare(a.RecordID, b.RecordID) })
	}
	return d
}
