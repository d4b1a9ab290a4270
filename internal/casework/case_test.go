package casework

import (
	"slices"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

var now = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

func day(s string) person.Date {
	d, err := person.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// step is a valid step of kind k; build applies steps of the given kinds with minimal valid content.
func step(k Kind) Step {
	s := Step{Kind: k, By: "ua-reg", At: now}
	switch k {
	case KindEnquiry:
		s.Enquiry = &Enquiry{Name: "Гуцул Марія Іванівна", Relationship: RelParent, Reach: "+380 67 123 45 67", Consent: true, Date: day("2026-11-30")}
	case KindContact:
		s.Contact = &Contact{Mode: ModeCall, Date: day("2026-12-01"), With: "мати", Said: "Чекає новин"}
	case KindTask:
		s.Task = &Task{Text: "Передзвонити", Assignee: "ua-reg", Due: day("2026-12-05")}
	case KindNotified:
		s.Notice = &Notice{News: NewsReturn, By: "ua-reg", How: ModeCall, Date: day("2026-12-06")}
	case KindShared:
		s.Sharing = &Sharing{Shared: true}
	case KindClosed:
		s.Closing = &Closing{Reason: CloseReturned}
	case KindReopened:
		s.Reopen = &Reopening{Reason: "Нові відомості"}
	}
	return s
}

func build(t *testing.T, kinds ...Kind) (*Case, error) {
	t.Helper()
	c := New("case-1", "UA", "rec-1")
	for _, k := range kinds {
		s := step(k)
		s.N = len(c.Steps) + 1
		if k == KindTaskDone {
			s.Done = &TaskDone{Task: max(lastTask(c), 99)}
			if lastTask(c) > 0 {
				s.Done.Task = lastTask(c)
			}
		}
		if err := s.Validate(now); err != nil {
			t.Fatalf("step %s: %v", k, err)
		}
		if err := c.Apply(s); err != nil {
			return c, err
		}
	}
	return c, nil
}

func lastTask(c *Case) int {
	n := 0
	for _, t := range c.Tasks() {
		n = t.N
	}
	return n
}

func TestStateMachine(t *testing.T) {
	tests := []struct {
		name  string
		kinds []Kind
		state State
		kind  errs.Kind
		code  string
	}{
		{"opened", []Kind{KindOpened}, Open, 0, ""},
		{"the whole life", []Kind{KindOpened, KindEnquiry, KindContact, KindTask, KindTaskDone, KindNotified, KindClosed}, Closed, 0, ""},
		{"reopened and closed again", []Kind{KindOpened, KindClosed, KindReopened, KindContact, KindClosed}, Closed, 0, ""},
		{"shared while closed", []Kind{KindOpened, KindClosed, KindShared}, Closed, 0, ""},
		{"a step before the opening", []Kind{KindEnquiry}, "", errs.Invalid, "case_not_opened"},
		{"opened twice", []Kind{KindOpened, KindOpened}, Open, errs.Conflict, "case_opened"},
		{"a contact on a closed case", []Kind{KindOpened, KindClosed, KindContact}, Closed, errs.Conflict, "case_closed"},
		{"closed twice", []Kind{KindOpened, KindClosed, KindClosed}, Closed, errs.Conflict, "case_closed"},
		{"reopening an open case", []Kind{KindOpened, KindReopened}, Open, errs.Conflict, "case_not_closed"},
		{"a task done twice", []Kind{KindOpened, KindTask, KindTaskDone, KindTaskDone}, Open, errs.Conflict, "case_task_done"},
		{"a task done without a task", []Kind{KindOpened, KindTaskDone}, Open, errs.Invalid, "case_no_task"},
		{"shared twice", []Kind{KindOpened, KindShared, KindShared}, Open, errs.Conflict, "case_sharing_same"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := build(t, tc.kinds...)
			if c.State != tc.state {
				t.Errorf("state %q, want %q", c.State, tc.state)
			}
			if tc.kind == 0 {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				if len(c.Steps) != len(tc.kinds) {
					t.Errorf("got %d steps, want %d", len(c.Steps), len(tc.kinds))
				}
				return
			}
			if !errs.Is(tc.kind, err) {
				t.Fatalf("got %v, want %v", err, tc.kind)
			}
			if f := errs.Fields(err); len(f) == 0 || f[0].Code != tc.code {
				t.Errorf("got fields %v, want code %s", f, tc.code)
			}
			if len(c.Steps) != len(tc.kinds)-1 {
				t.Errorf("a refused step was kept: %d steps", len(c.Steps))
			}
		})
	}
}

func TestApplyTakesTheNextNumberOnly(t *testing.T) {
	c := New("c", "UA", "r")
	s := step(KindOpened)
	s.N = 2
	if err := c.Apply(s); !errs.Is(errs.Conflict, err) {
		t.Fatalf("got %v, want conflict", err)
	}
}

func TestValidate(t *testing.T) {
	long := make([]rune, MaxLine+1)
	for i := range long {
		long[i] = 'я'
	}
	tests := []struct {
		name   string
		step   Step
		fields map[string]string // field → code
	}{
		{"an enquiry without a name", Step{Kind: KindEnquiry, Enquiry: &Enquiry{Relationship: RelParent, Date: day("2026-12-01")}}, map[string]string{"name": "required"}},
		{"an enquiry dated tomorrow", Step{Kind: KindEnquiry, Enquiry: &Enquiry{Name: "Х", Relationship: RelParent, Date: day("2026-12-08")}}, map[string]string{"date": "future"}},
		{"an unknown relationship", Step{Kind: KindEnquiry, Enquiry: &Enquiry{Name: "Х", Relationship: "cousin", Date: day("2026-12-01")}}, map[string]string{"relationship": "case_bad_relationship"}},
		{"a contact by pigeon, no date, no one", Step{Kind: KindContact, Contact: &Contact{Mode: "pigeon"}}, map[string]string{"mode": "case_bad_mode", "date": "required", "with": "required"}},
		{"a name of two lines", Step{Kind: KindEnquiry, Enquiry: &Enquiry{Name: "a\nb", Relationship: RelParent, Date: day("2026")}}, map[string]string{"name": "one_line_required"}},
		{"a long task", Step{Kind: KindTask, Task: &Task{Text: string(long), Assignee: "x"}}, map[string]string{"text": "too_long"}},
		{"a control character", Step{Kind: KindContact, Contact: &Contact{Mode: ModeCall, Date: day("2026-12-01"), With: "x", Said: "a\x00b"}}, map[string]string{"said": "control_char"}},
		{"a task due in a month", Step{Kind: KindTask, Task: &Task{Text: "x", Assignee: "x", Due: day("2026-12")}}, map[string]string{"due": "case_due_day"}},
		{"a notice of nothing", Step{Kind: KindNotified, Notice: &Notice{News: "rumour", By: "x", How: ModeVisit, Date: day("2026-12-01")}}, map[string]string{"news": "case_bad_news"}},
		{"merged into nothing", Step{Kind: KindClosed, Closing: &Closing{Reason: CloseMerged}}, map[string]string{"into": "required"}},
		{"returned into a case", Step{Kind: KindClosed, Closing: &Closing{Reason: CloseReturned, Into: "c-2"}}, map[string]string{"into": "case_into_merged"}},
		{"reopened without a reason", Step{Kind: KindReopened, Reopen: &Reopening{}}, map[string]string{"reason": "required"}},
		{"a kind without its field", Step{Kind: KindContact}, map[string]string{"contact": "required"}},
		{"two fields", Step{Kind: KindTaskDone, Done: &TaskDone{Task: 2}, Sharing: &Sharing{}}, map[string]string{"task_done": "required"}},
		{"an unknown kind", Step{Kind: "gossip"}, map[string]string{"kind": "case_bad_kind"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.step.Validate(now)
			if !errs.Is(errs.Invalid, err) {
				t.Fatalf("got %v, want invalid", err)
			}
			got := map[string]string{}
			for _, f := range errs.Fields(err) {
				got[f.Field] = f.Code
				if !slices.Contains(Codes, f.Code) {
					t.Errorf("code %q is not in Codes: the locale does not know it", f.Code)
				}
			}
			for f, code := range tc.fields {
				if got[f] != code {
					t.Errorf("field %s: got code %q, want %q (all: %v)", f, got[f], code, got)
				}
			}
			if len(got) != len(tc.fields) {
				t.Errorf("got fields %v, want %v", got, tc.fields)
			}
		})
	}
	for _, k := range Kinds {
		if err := step(k).Validate(now); k != KindTaskDone && err != nil {
			t.Errorf("a valid %s: %v", k, err)
		}
	}
}

func TestSplitJoin(t *testing.T) {
	for _, k := range []Kind{KindEnquiry, KindContact} {
		s := step(k)
		pub, sealed := s.Split()
		if sealed.IsZero() {
			t.Fatalf("%s: nothing sealed", k)
		}
		if e := pub.Enquiry; e != nil && (e.Name != "" || e.Reach != "") {
			t.Errorf("the enquirer stays in the open part: %+v", e)
		}
		if c := pub.Contact; c != nil && c.Said != "" {
			t.Errorf("what was said stays in the open part: %+v", c)
		}
		back := pub.Join(sealed)
		if k == KindEnquiry && *back.Enquiry != *s.Enquiry || k == KindContact && *back.Contact != *s.Contact {
			t.Errorf("%s: joined %+v, want %+v", k, back, s)
		}
		if s.Enquiry != nil && s.Enquiry.Name == "" || s.Contact != nil && s.Contact.Said == "" {
			t.Errorf("Split changed the step it was given")
		}
	}
}

func TestDue(t *testing.T) {
	c, err := build(t, KindOpened, KindTask, KindTask, KindTaskDone, KindTask)
	if err != nil {
		t.Fatal(err)
	}
	// Tasks 2 and 5 are open (3 was done); make 5 due later and undated.
	c.Steps[4].Task = &Task{Text: "undated", Assignee: "b"}
	today := day("2026-12-07")
	due := c.Due(today, crossing.TraceReturned, day("2026-12-06"))
	if len(due) != 3 {
		t.Fatalf("got %d due, want 3: %+v", len(due), due)
	}
	// Overdue first, by date: task 2 (5 Dec), the notice of the return (6 Dec); the undated task last.
	if due[0].Task != 2 || !due[0].Overdue || due[1].News != NewsReturn || !due[1].Overdue || due[2].Task != 5 || due[2].Overdue {
		t.Errorf("got %+v", due)
	}
	// Once the family is told of the return, the notice is no longer due.
	n := step(KindNotified)
	n.N = len(c.Steps) + 1
	if err := c.Apply(n); err != nil {
		t.Fatal(err)
	}
	for _, d := range c.Due(today, crossing.TraceReturned, day("2026-12-06")) {
		if d.News != "" {
			t.Errorf("still due: %+v", d)
		}
	}
	// A notice of a capture does not tell of a later return.
	if d := c.Due(today, crossing.TraceDied, day("2026-12-07")); len(d) != 3 || d[1].News != NewsDeath || d[1].Overdue {
		t.Errorf("a death after the notice of return: got %+v", d)
	}
	if d := c.Due(today, crossing.TraceListed, day("2026-12-01")); len(d) != 2 {
		t.Errorf("listing is no news to tell: got %+v", d)
	}
	cl := step(KindClosed)
	cl.N = len(c.Steps) + 1
	if err := c.Apply(cl); err != nil {
		t.Fatal(err)
	}
	if d := c.Due(today, crossing.TraceReturned, day("2026-12-06")); d != nil {
		t.Errorf("a closed case has nothing due: %+v", d)
	}
}

func TestWorklist(t *testing.T) {
	today := day("2026-12-07")
	mk := func(id string, opened time.Time, due ...string) Item {
		c := New(id, "UA", "r-"+id)
		o := step(KindOpened)
		o.N, o.At = 1, opened
		_ = c.Apply(o)
		for _, d := range due {
			s := step(KindTask)
			s.N = len(c.Steps) + 1
			s.Task = &Task{Text: "t", Assignee: "a-" + id}
			if d != "" {
				s.Task.Due = day(d)
			}
			_ = c.Apply(s)
		}
		return Item{Case: c, Due: c.Due(today, 0, person.Date{})}
	}
	items := []Item{
		mk("nothing", now.Add(-5*time.Hour)),
		mk("later", now, "2026-12-20"),
		mk("overdue-new", now, "2026-12-06"),
		mk("soon", now, "2026-12-08"),
		mk("overdue-old", now, "2026-12-01", "2026-12-30"),
		mk("undated", now.Add(-time.Hour), ""),
	}
	var got []string
	for _, it := range Worklist(items, Filter{}) {
		got = append(got, it.Case.ID)
	}
	want := []string{"overdue-old", "overdue-new", "soon", "later", "nothing", "undated"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	if w := Worklist(items, Filter{Overdue: true}); len(w) != 2 {
		t.Errorf("overdue filter: got %d, want 2", len(w))
	}
	if w := Worklist(items, Filter{Assignee: "a-soon"}); len(w) != 1 || w[0].Case.ID != "soon" {
		t.Errorf("assignee filter: got %v", w)
	}
	if w := Worklist(items, Filter{State: Closed}); len(w) != 0 {
		t.Errorf("closed filter: got %v", w)
	}
}
