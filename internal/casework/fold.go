package casework

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// Case is a bureau's case about one of its own sought records: the fold
// of its steps. Party and Record are fixed at the opening.
type Case struct {
	ID     string `json:"id"`
	Party  string `json:"party"`
	Record string `json:"record"`
	State  State  `json:"state"`
	Shared bool   `json:"shared"`
	Steps  []Step `json:"steps"`
}

// TaskState is a task of a case and whether it is done.
type TaskState struct {
	N    int  `json:"n"` // the step that set it
	Task Task `json:"task"`
	Done int  `json:"done,omitempty"` // the step that marked it done, or 0
}

// New returns an empty case about record of party, to Apply its opening to.
func New(id, party, record string) *Case { return &Case{ID: id, Party: party, Record: record} }

// Apply appends step to the case if the case's state allows its kind (the
// table in state.go) and its references hold: a task done names an open
// task of the case; a sharing changes the sharing. The step's N MUST be
// the next: the store gives it. Apply does not Validate the step's fields.
func (c *Case) Apply(s Step) error {
	const op = "casework.Case.Apply"
	if s.N != len(c.Steps)+1 {
		return errs.Errorf(op, errs.Conflict, "step %d of case %s: the case has %d steps", s.N, c.ID, len(c.Steps))
	}
	to, err := next(c.State, s.Kind)
	if err != nil {
		return err
	}
	switch s.Kind {
	case KindTaskDone:
		t, ok := c.task(s.Done.Task)
		switch {
		case !ok:
			return errs.E(op, errs.Invalid, fmt.Sprintf("the case has no task %d", s.Done.Task),
				errs.FieldError{Field: "task", Message: "no such task", Args: []string{fmt.Sprint(s.Done.Task)}, Code: "case_no_task"})
		case t.Done != 0:
			return errs.E(op, errs.Conflict, fmt.Sprintf("task %d is done already", s.Done.Task),
				errs.FieldError{Field: "task", Message: "done already", Args: []string{fmt.Sprint(s.Done.Task)}, Code: "case_task_done"})
		}
	case KindShared:
		if s.Sharing.Shared == c.Shared {
			return errs.E(op, errs.Conflict, "the case's sharing is already so",
				errs.FieldError{Field: "shared", Message: "already so", Code: "case_sharing_same"})
		}
		c.Shared = s.Sharing.Shared
	}
	c.State = to
	c.Steps = append(c.Steps, s)
	return nil
}

// Tasks returns the case's tasks in the order they were set.
func (c *Case) Tasks() []TaskState {
	var out []TaskState
	for _, s := range c.Steps {
		switch s.Kind {
		case KindTask:
			out = append(out, TaskState{N: s.N, Task: *s.Task})
		case KindTaskDone:
			for i := range out {
				if out[i].N == s.Done.Task {
					out[i].Done = s.N
				}
			}
		}
	}
	return out
}

func (c *Case) task(n int) (TaskState, bool) {
	for _, t := range c.Tasks() {
		if t.N == n {
			return t, true
		}
	}
	return TaskState{}, false
}

// Of returns the steps of the given kind, in order.
func (c *Case) Of(k Kind) []Step {
	var out []Step
	for _, s := range c.Steps {
		if s.Kind == k {
			out = append(out, s)
		}
	}
	return out
}

// Opened is when the case was opened.
func (c *Case) Opened() time.Time {
	if len(c.Steps) == 0 {
		return time.Time{}
	}
	return c.Steps[0].At
}

// Closing returns the reason of the last closing while the case is closed.
func (c *Case) Closing() *Closing {
	if c.State != Closed {
		return nil
	}
	cl := c.Of(KindClosed)
	return cl[len(cl)-1].Closing
}

// Due is one thing due on a case: an open task with its due date, or a
// family to notify of news the trace shows and no notice has told them.
type Due struct {
	Case     string      `json:"case"`
	Task     int         `json:"task,omitempty"` // the task's step, or 0 for a notice
	Text     string      `json:"text,omitempty"`
	Assignee string      `json:"assignee,omitempty"`
	News     News        `json:"news,omitempty"` // the news to tell the family
	Date     person.Date `json:"date,omitzero"`  // due by; zero when no date was set
	Overdue  bool        `json:"overdue"`        // due before today
}

// NewsOf is the news a family is told of when the trace reaches status,
// or "" when there is none to tell.
func NewsOf(status crossing.TraceStatus) News {
	switch status {
	case crossing.TraceConfirmedCaptive:
		return NewsCapture
	case crossing.TraceReturned:
		return NewsReturn
	case crossing.TraceDied:
		return NewsDeath
	case crossing.TraceIdentified:
		return NewsRemains
	}
	return ""
}

// Due returns what is due on an open case on the day today: its open
// tasks, and, when the person's trace status (status, reached on since)
// is news the family has not been notified of since, the notice. A notice
// is due on the day the status was reached. Overdue items come first, then
// by date (undated last), then by task.
func (c *Case) Due(today person.Date, status crossing.TraceStatus, since person.Date) []Due {
	if c.State != Open {
		return nil
	}
	var out []Due
	for _, t := range c.Tasks() {
		if t.Done == 0 {
			out = append(out, Due{Case: c.ID, Task: t.N, Text: t.Task.Text, Assignee: t.Task.Assignee, Date: t.Task.Due, Overdue: before(t.Task.Due, today)})
		}
	}
	if news := NewsOf(status); news != "" {
		told := false
		for _, s := range c.Of(KindNotified) {
			if s.Notice.News == news && !before(s.Notice.Date, since) {
				told = true
			}
		}
		if !told {
			out = append(out, Due{Case: c.ID, News: news, Date: since, Overdue: before(since, today)})
		}
	}
	slices.SortStableFunc(out, compareDue)
	return out
}

func compareDue(a, b Due) int {
	if a.Overdue != b.Overdue {
		if a.Overdue {
			return -1
		}
		return 1
	}
	if a.Date.IsZero() != b.Date.IsZero() {
		if a.Date.IsZero() {
			return 1
		}
		return -1
	}
	return cmp.Or(strings.Compare(a.Date.String(), b.Date.String()), cmp.Compare(a.Task, b.Task))
}

// before reports whether the full date d is before day (a zero or partial
// date is before nothing).
func before(d, day person.Date) bool {
	if d.Precision() != "day" || day.Precision() != "day" {
		return false
	}
	return d.String() < day.String()
}

// Today is the date of t (in t's location) as a person.Date.
func Today(t time.Time) person.Date {
	y, m, d := t.Date()
	return person.Date{Year: y, Month: int(m), Day: d}
}
