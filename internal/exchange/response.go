package exchange

import (
	"fmt"
	"strconv"
	"time"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
)

// Answer is the other party's answer on one person of a list version
// (DOMAIN.md "What this means" item 4).
type Answer string

// Answers. The list is append-only.
const (
	Accept          Answer = "accept"           // agreed: the person is part of the exchange
	Reject          Answer = "reject"           // refused, with a reason (and maybe a Blocker)
	Query           Answer = "query"            // needs clarification before an answer
	NotHeld         Answer = "not_held"         // (requests) the holder says it does not hold the person
	NotFound        Answer = "not_found"        // no such person known to the answering party
	RefusesExchange Answer = "refuses_exchange" // the person declined to be exchanged (Art. 109(3))
	Ineligible      Answer = "ineligible"       // fails a rule of the terms, named in Rule
)

// Answers lists the answers in display order.
var Answers = []Answer{Accept, Reject, Query, NotHeld, NotFound, RefusesExchange, Ineligible}

// Valid reports whether a is a known answer.
func (a Answer) Valid() bool {
	for _, x := range Answers {
		if a == x {
			return true
		}
	}
	return false
}

// Open reports whether an item with this answer still waits for one:
// unanswered ("") or queried.
func (a Answer) Open() bool { return a == "" || a == Query }

// Response is one answer by one party on one person of a submitted list
// version of the other party. Responses are events: the store appends them
// and never edits one; the latest that applies counts (see [Current]).
type Response struct {
	Exchange    string   `json:"exchange"`
	ListParty   string   `json:"list_party"` // the party whose list is answered
	ListKind    ListKind `json:"list_kind"`
	ListVersion int      `json:"list_version"`
	RecordID    string   `json:"record_id"`
	// Party is the answering party: MUST NOT be ListParty.
	Party  string `json:"party"`
	Answer Answer `json:"answer"`
	Reason string `json:"reason"`
	// Rule names the rule of the terms an Ineligible answer invokes.
	Rule string `json:"rule,omitempty"`
	// Blocker is the typed release blocker a Reject or Ineligible answer
	// invokes (Rule 128), if any.
	Blocker Blocker `json:"blocker,omitempty"`
	// Item is the item as answered, filled by [Respond]: an answer carries
	// over to later versions only while the item stays the same.
	Item Item      `json:"item"`
	At   time.Time `json:"at"`
	By   string    `json:"by"` // opaque user id
}

// RespondAll checks a batch of answers on one list version, as Respond
// does each, in time linear in the list and the batch: a registrar
// answering a whole sheet. It is all-or-nothing: on any error it returns
// none, and an errs.Invalid error lists every bad answer by index.
func RespondAll(ex *Exchange, list *ListVersion, rs []Response) ([]Response, error) {
	const op = "exchange.RespondAll"
	idx := make(map[string]int, len(list.Items))
	for i := range list.Items {
		idx[list.Items[i].RecordID] = i
	}
	lookup := func(id string) (Item, bool) {
		if i, ok := idx[id]; ok {
			return list.Items[i], true
		}
		return Item{}, false
	}
	out := make([]Response, 0, len(rs))
	var fe []errs.FieldError
	for i, r := range rs {
		got, err := respond(ex, list, r, lookup)
		switch k := errs.KindOf(err); {
		case err == nil:
			out = append(out, got)
		case k == errs.Invalid || k == errs.NotFound:
			if f := errs.Fields(err); len(f) > 0 {
				for _, x := range f {
					x.Where = fmt.Sprintf("responses[%d]", i)
					fe = append(fe, x)
				}
			} else {
				fe = append(fe, errs.FieldError{Where: fmt.Sprintf("responses[%d]", i), Field: "record_id", Message: errs.Message(err)})
			}
		default:
			return nil, errs.E(op, err) // forbidden or conflict: the same for the whole batch
		}
	}
	if fe != nil {
		return nil, errs.E(op, errs.Invalid, "invalid answers", fe)
	}
	return out, nil
}

func respond(ex *Exchange, list *ListVersion, r Response, lookup func(string) (Item, bool)) (Response, error) {
	const op = "exchange.Respond"
	if !ex.HasParty(r.Party) {
		return r, errs.Errorf(op, errs.Forbidden, "%q is not a party to exchange %s and cannot answer its lists", r.Party, ex.ID)
	}
	if r.Party == list.Party {
		return r, errs.Errorf(op, errs.Forbidden, "party %s cannot answer its own list", r.Party)
	}
	if list.Exchange != ex.ID {
		return r, errs.Errorf(op, errs.Invalid, "the list belongs to exchange %s, not %s", list.Exchange, ex.ID)
	}
	switch list.State {
	case ListSubmitted:
	case ListSuperseded:
		return r, refuse(op, errs.Conflict, problem(errs.FieldError{Field: "list_version", Code: "list_superseded"}, "version %d of %s's %s list was superseded: answer the current version", list.Version, list.Party, list.Kind))
	default:
		return r, refuse(op, errs.Conflict, problem(errs.FieldError{Field: "list_version", Code: "list_not_submitted"}, "version %d of %s's %s list is not submitted", list.Version, list.Party, list.Kind))
	}
	if r.ListVersion != 0 && r.ListVersion != list.Version {
		return r, refuse(op, errs.Conflict, problem(errs.FieldError{Field: "list_version", Code: "answer_version"}, "the answer is for version %d but the list is at version %d", r.ListVersion, list.Version))
	}
	it, ok := lookup(r.RecordID)
	if !ok {
		return r, refuse(op, errs.NotFound, problem(errs.FieldError{Field: "record_id", Code: "not_on_list"}, "%s is not on version %d of %s's %s list", r.RecordID, list.Version, list.Party, list.Kind))
	}
	var fe []errs.FieldError
	add := func(f errs.FieldError, format string, args ...any) {
		fe = append(fe, problem(f, format, args...))
	}
	if !r.Answer.Valid() {
		add(errs.FieldError{Field: "answer", Code: "bad_answer"}, "must be one of accept, reject, query, not_held, not_found, refuses_exchange, ineligible")
	}
	if r.Answer == NotHeld && list.Kind != Request {
		add(errs.FieldError{Field: "answer", Code: "not_held_request"}, "not_held answers a request; the offering party holds the persons it offers")
	}
	if !validText(r.Reason) {
		add(errs.FieldError{Field: "reason", Code: "answer_reason_required"}, "required: every answer gives a reason")
	}
	switch {
	case r.Answer == Ineligible:
		if _, ok := ex.Terms.Rule(r.Rule); !ok {
			add(errs.FieldError{Field: "rule", Code: "rule_unknown"}, "an ineligible answer names a rule of the terms; %q is none", r.Rule)
		}
	case r.Rule != "":
		add(errs.FieldError{Field: "rule", Code: "rule_only_ineligible"}, "only an ineligible answer names a rule")
	}
	if !r.Blocker.Valid() {
		add(errs.FieldError{Field: "blocker", Code: "bad_blocker"}, "must be pending_prosecution, serving_sentence or empty")
	} else if r.Blocker != BlockerNone && r.Answer != Reject && r.Answer != Ineligible {
		add(errs.FieldError{Field: "blocker", Code: "blocker_with_reject"}, "a release blocker goes with a reject or ineligible answer")
	}
	if r.At.IsZero() {
		add(errs.FieldError{Field: "at", Code: "required"}, "required")
	}
	if r.By == "" {
		add(errs.FieldError{Field: "by", Code: "required"}, "required")
	}
	if fe != nil {
		return r, errs.E(op, errs.Invalid, "invalid answer", fe)
	}
	r.Exchange, r.ListParty, r.ListKind, r.ListVersion = ex.ID, list.Party, list.Kind, list.Version
	r.Item, r.At = it, r.At.UTC()
	r.Item.Reason = ""
	return r, nil
}

// Content returns the canonical bytes of r (RFC 8785 via
// audit.CanonicalJSON) for the commitment of its log leaf.
func (r *Response) Content() ([]byte, error) {
	m := map[string]string{
		"exchange": r.Exchange, "list_party": r.ListParty, "list_kind": string(r.ListKind),
		"list_version": strconv.Itoa(r.ListVersion), "record_id": r.RecordID, "party": r.Party,
		"answer": string(r.Answer), "reason": r.Reason, "category": string(r.Item.Category),
		"at": r.At.UTC().Format(time.RFC3339Nano), "by": r.By,
	}
	if r.Rule != "" {
		m["rule"] = r.Rule
	}
	if r.Blocker != "" {
		m["blocker"] = string(r.Blocker)
	}
	if r.Item.HeldRecordID != "" {
		m["held_record_id"] = r.Item.HeldRecordID
	}
	if r.Item.Stage != 0 {
		m["stage"] = strconv.Itoa(r.Item.Stage)
	}
	return audit.CanonicalJSON(m)
}

// Current returns the answer that counts for each item of list, by record
// id, from history (every response of the exchange, in the order they were
// appended): the latest response on the same list, given to this version or
// an earlier one while the item was the same. An item without an entry is
// unanswered. A response to an item that has since changed no longer counts
// but stays in the history.
func Current(list *ListVersion, history []Response) map[string]Response {
	out := make(map[string]Response, len(list.Items))
	idx := make(map[string]int, len(list.Items))
	for i := range list.Items {
		idx[list.Items[i].RecordID] = i
	}
	for _, r := range history {
		if r.ListParty != list.Party || r.ListKind != list.Kind || r.ListVersion > list.Version || r.Exchange != list.Exchange {
			continue
		}
		i, ok := idx[r.RecordID]
		if !ok || !r.Item.same(&list.Items[i]) {
			continue
		}
		if prev, seen := out[r.RecordID]; seen && prev.ListVersion > r.ListVersion {
			continue // an answer to a later version outranks a late answer to an earlier one
		}
		out[r.RecordID] = r
	}
	return out
}
