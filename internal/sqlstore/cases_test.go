package sqlstore_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/casework"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// The family's words: they must be readable through the store and
// nowhere at rest.
const (
	enquirerName  = "Гуцул Марія Іванівна"
	enquirerReach = "+380 67 555 01 02, Коломия, вул. Шевченка 3"
	contactSaid   = "Мати каже, що син дзвонив 3 травня з незнайомого номера"
)

func soughtRecord(t *testing.T, db *sqlstore.DB, s access.Scope, party, surname string) string {
	t.Helper()
	f := held(surname)
	f.Kind, f.Status = person.Sought, person.StatusMissing
	r, err := db.CreateRecord(context.Background(), s, sqlstore.NewRecord{Party: party, Fields: f})
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func enquiry() *casework.Enquiry {
	return &casework.Enquiry{Name: enquirerName, Relationship: casework.RelParent, Reach: enquirerReach, Consent: true,
		Date: person.Date{Year: 2026, Month: 11, Day: 30}}
}

var caseToday = person.Date{Year: 2026, Month: 12, Day: 7}

func wantCase(t *testing.T, err error, kind errs.Kind, code string) {
	t.Helper()
	if !errs.Is(kind, err) {
		t.Fatalf("got %v, want %v", err, kind)
	}
	if code == "" {
		return
	}
	for _, f := range errs.Fields(err) {
		if f.Code == code {
			return
		}
	}
	t.Fatalf("got fields %v, want code %s", errs.Fields(err), code)
}

// TestCaseLifecycle: a bureau opens a case from an enquiry, records a call,
// sets a task and does it, notifies the family of a return and closes the
// case; every step is one leaf of its kind; the family's words are sealed
// at rest and read back whole.
func TestCaseLifecycle(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sc := fixture(t, db)
		rec := soughtRecord(t, db, sc["ua-reg"], "UA", "Гуцул")
		before, err := db.LogSize(ctx)
		if err != nil {
			t.Fatal(err)
		}
		c, err := db.OpenCase(ctx, sc["ua-reg"], rec, enquiry())
		if err != nil {
			t.Fatal(err)
		}
		if c.State != casework.Open || len(c.Steps) != 2 || c.Party != "UA" || c.Record != rec {
			t.Fatalf("opened %+v", c)
		}
		day := func(d int) person.Date { return person.Date{Year: 2026, Month: 12, Day: d} }
		steps := []casework.Step{
			{Kind: casework.KindContact, Contact: &casework.Contact{Mode: casework.ModeCall, Date: day(1), With: "мати", Said: contactSaid}},
			{Kind: casework.KindTask, Task: &casework.Task{Text: "Запит до частини", Assignee: "ua-appr", Due: day(5)}},
			{Kind: casework.KindTaskDone, Done: &casework.TaskDone{Task: 4}},
			{Kind: casework.KindNotified, Notice: &casework.Notice{News: casework.NewsReturn, By: "ua-reg", How: casework.ModeCall, Date: day(6)}},
			{Kind: casework.KindClosed, Closing: &casework.Closing{Reason: casework.CloseReturned}},
		}
		for _, st := range steps {
			if c, err = db.AddCaseStep(ctx, sc["ua-reg"], c.ID, st); err != nil {
				t.Fatalf("%s: %v", st.Kind, err)
			}
		}
		v, err := db.Case(ctx, sc["ua-reg"], c.ID, caseToday)
		if err != nil {
			t.Fatal(err)
		}
		if v.Case.State != casework.Closed || len(v.Case.Steps) != 7 || v.Trace == nil || v.Person.ID != rec {
			t.Fatalf("read back %+v", v)
		}
		if e := v.Case.Steps[1].Enquiry; e.Name != enquirerName || e.Reach != enquirerReach || !e.Consent {
			t.Errorf("the enquiry read back as %+v", e)
		}
		if got := v.Case.Steps[2].Contact.Said; got != contactSaid {
			t.Errorf("what was said read back as %q", got)
		}
		for i, st := range v.Case.Steps {
			if st.N != i+1 || st.By != "ua-reg" || st.At.IsZero() {
				t.Errorf("step %d: n %d by %q at %v", i+1, st.N, st.By, st.At)
			}
		}
		// One leaf per step, of the step's kind, about the case.
		after, err := db.LogSize(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for i := before; i < after; i++ {
			b, err := db.Leaf(ctx, i)
			if err != nil {
				t.Fatal(err)
			}
			l, err := audit.DecodeLeaf(b)
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(string(l.Type), "case.") {
				if l.Subject != "case:"+c.ID {
					t.Errorf("leaf %d is about %q", i, l.Subject)
				}
				kinds = append(kinds, string(l.Type))
			}
		}
		if got := strings.Join(kinds, " "); got != "case.opened case.enquiry case.contact case.task case.task_done case.notified case.closed" {
			t.Errorf("leaves %s", got)
		}
		// At rest: neither the body nor the sealed bytes hold the family's words.
		bodies, sealed, err := db.RawCaseSteps(ctx)
		if err != nil {
			t.Fatal(err)
		}
		nSealed := 0
		for i := range bodies {
			for _, secret := range []string{enquirerName, enquirerReach, contactSaid, "Гуцул Марія", "+380"} {
				if strings.Contains(bodies[i], secret) || bytes.Contains(sealed[i], []byte(secret)) {
					t.Errorf("step %d holds %q at rest", i+1, secret)
				}
			}
			if len(sealed[i]) > 0 {
				nSealed++
			}
		}
		if nSealed != 2 {
			t.Errorf("%d steps sealed, want 2 (the enquiry, the contact)", nSealed)
		}
		// The leaves commit without content in clear either.
		for i := before; i < after; i++ {
			b, _ := db.Leaf(ctx, i)
			if bytes.Contains(b, []byte("+380")) || bytes.Contains(b, []byte("Марія")) {
				t.Errorf("leaf %d holds the enquirer in clear", i)
			}
		}
	})
}

// TestCaseRules: the store's decisions: what a case is opened on, one
// open case per person, assignees of the bureau, the state table, and a
// bad step written nowhere.
func TestCaseRules(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sc := fixture(t, db)
		ua := sc["ua-reg"]
		rec := soughtRecord(t, db, ua, "UA", "Бондаренко")
		heldRec, err := db.CreateRecord(ctx, ua, sqlstore.NewRecord{Party: "UA", Fields: held("Тримано")})
		if err != nil {
			t.Fatal(err)
		}
		ruRec := soughtRecord(t, db, sc["ru-reg"], "RU", "Иванов")

		_, err = db.OpenCase(ctx, ua, heldRec.ID, nil)
		wantCase(t, err, errs.Invalid, "case_record_not_sought")
		_, err = db.OpenCase(ctx, ua, ruRec, nil)
		wantCase(t, err, errs.NotFound, "")
		c, err := db.OpenCase(ctx, ua, rec, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.OpenCase(ctx, ua, rec, enquiry())
		wantCase(t, err, errs.Conflict, "case_exists")

		size, _ := db.LogSize(ctx)
		for _, tc := range []struct {
			name string
			step casework.Step
			kind errs.Kind
			code string
		}{
			{"an assignee of the other party", casework.Step{Kind: casework.KindTask, Task: &casework.Task{Text: "x", Assignee: "ru-reg"}}, errs.Invalid, "case_bad_assignee"},
			{"an officer as assignee", casework.Step{Kind: casework.KindTask, Task: &casework.Task{Text: "x", Assignee: "ua-officer"}}, errs.Invalid, "case_bad_assignee"},
			{"nobody as assignee", casework.Step{Kind: casework.KindTask, Task: &casework.Task{Text: "x", Assignee: "nobody"}}, errs.Invalid, "case_bad_assignee"},
			{"an enquiry without a name", casework.Step{Kind: casework.KindEnquiry, Enquiry: &casework.Enquiry{Relationship: casework.RelChild, Date: caseToday}}, errs.Invalid, "required"},
			{"reopening an open case", casework.Step{Kind: casework.KindReopened, Reopen: &casework.Reopening{Reason: "x"}}, errs.Conflict, "case_not_closed"},
			{"a second opening", casework.Step{Kind: casework.KindOpened}, errs.Conflict, "case_opened"},
			{"merged into itself", casework.Step{Kind: casework.KindClosed, Closing: &casework.Closing{Reason: casework.CloseMerged, Into: c.ID}}, errs.Invalid, "case_no_merge_target"},
			{"a contact tomorrow", casework.Step{Kind: casework.KindContact, Contact: &casework.Contact{Mode: casework.ModeVisit, Date: person.Date{Year: 2999, Month: 1, Day: 1}, With: "x"}}, errs.Invalid, "future"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := db.AddCaseStep(ctx, ua, c.ID, tc.step)
				wantCase(t, err, tc.kind, tc.code)
			})
		}
		if now, _ := db.LogSize(ctx); now != size {
			t.Errorf("refused steps wrote %d leaves", now-size)
		}
		v, err := db.Case(ctx, ua, c.ID, caseToday)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Case.Steps) != 1 {
			t.Errorf("refused steps were kept: %d steps", len(v.Case.Steps))
		}
		// Closed, a new case may be opened on the person; merged into it.
		c2 := soughtRecord(t, db, ua, "UA", "Другий")
		other, err := db.OpenCase(ctx, ua, c2, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddCaseStep(ctx, ua, c.ID, casework.Step{Kind: casework.KindClosed, Closing: &casework.Closing{Reason: casework.CloseMerged, Into: other.ID}}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.OpenCase(ctx, ua, rec, enquiry()); err != nil {
			t.Errorf("a new case after the first closed: %v", err)
		}
		cases, err := db.CasesOfRecord(ctx, ua, rec)
		if err != nil || len(cases) != 2 {
			t.Errorf("cases of the record: %d, %v", len(cases), err)
		}
	})
}

// TestCaseAccess: the owning bureau works its case; the other party
// never sees it; the mediator's agency only while the bureau shares it,
// and may not close, share or reopen it.
func TestCaseAccess(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sc := fixture(t, db)
		ua, ru, op := sc["ua-reg"], sc["ru-reg"], sc["op"]
		appr := sc["ua-appr"]
		appr.MFA = true
		rec := soughtRecord(t, db, ua, "UA", "Шевчук")
		c, err := db.OpenCase(ctx, ua, rec, enquiry())
		if err != nil {
			t.Fatal(err)
		}
		contact := casework.Step{Kind: casework.KindContact, Contact: &casework.Contact{Mode: casework.ModeLetter, Date: caseToday, With: "дружина"}}
		for _, who := range []string{"ru-reg", "op", "aud", "admin", "ua-officer"} {
			_, err := db.Case(ctx, sc[who], c.ID, caseToday)
			wantCase(t, err, errs.NotFound, "")
			_, err = db.AddCaseStep(ctx, sc[who], c.ID, contact)
			wantCase(t, err, errs.NotFound, "")
			if got, err := db.CasesOfRecord(ctx, sc[who], rec); err != nil || len(got) != 0 {
				t.Errorf("%s: cases of the record %d, %v", who, len(got), err)
			}
		}
		if list, err := db.Cases(ctx, ru, casework.Filter{}, caseToday); err != nil || len(list) != 0 {
			t.Errorf("RU's worklist: %d, %v", len(list), err)
		}
		for _, who := range []string{"aud", "sys", "ua-officer"} {
			_, err := db.Cases(ctx, sc[who], casework.Filter{}, caseToday)
			wantCase(t, err, errs.Forbidden, "")
		}
		// The approver of the bureau works it too.
		if _, err := db.AddCaseStep(ctx, appr, c.ID, contact); err != nil {
			t.Fatal(err)
		}
		// An enquirer who does not consent to share how to reach them.
		noConsent := enquiry()
		noConsent.Consent, noConsent.Reach = false, "+380 50 000 00 00"
		if _, err := db.AddCaseStep(ctx, ua, c.ID, casework.Step{Kind: casework.KindEnquiry, Enquiry: noConsent}); err != nil {
			t.Fatal(err)
		}
		// Shared: the mediator's agency reads and records, but does not
		// close, share or reopen; RU still sees nothing.
		if _, err := db.AddCaseStep(ctx, ua, c.ID, casework.Step{Kind: casework.KindShared, Sharing: &casework.Sharing{Shared: true}}); err != nil {
			t.Fatal(err)
		}
		v, err := db.Case(ctx, op, c.ID, caseToday)
		if err != nil {
			t.Fatal(err)
		}
		if v.Trace != nil {
			t.Errorf("the agency reads the bureau's trace")
		}
		if e := v.Case.Steps[1].Enquiry; e.Reach != enquirerReach || e.Name != enquirerName {
			t.Errorf("the agency reads an enquiry with consent as %+v", e)
		}
		if e := v.Case.Steps[3].Enquiry; e.Reach != "" || e.Name != enquirerName {
			t.Errorf("the agency reads how to reach an enquirer who did not consent: %+v", e)
		}
		if own, _ := db.Case(ctx, ua, c.ID, caseToday); own.Case.Steps[3].Enquiry.Reach == "" {
			t.Errorf("the bureau lost the reach of its own enquirer")
		}
		if _, err := db.AddCaseStep(ctx, op, c.ID, contact); err != nil {
			t.Fatal(err)
		}
		for _, st := range []casework.Step{
			{Kind: casework.KindClosed, Closing: &casework.Closing{Reason: casework.CloseWithdrawn}},
			{Kind: casework.KindShared, Sharing: &casework.Sharing{Shared: false}},
		} {
			_, err := db.AddCaseStep(ctx, op, c.ID, st)
			wantCase(t, err, errs.Forbidden, "case_owner_only")
		}
		_, err = db.OpenCase(ctx, op, rec, nil)
		wantCase(t, err, errs.Forbidden, "")
		if list, err := db.Cases(ctx, op, casework.Filter{}, caseToday); err != nil || len(list) != 1 {
			t.Errorf("the agency's worklist: %d, %v", len(list), err)
		}
		_, err = db.Case(ctx, ru, c.ID, caseToday)
		wantCase(t, err, errs.NotFound, "")
		// Unshared again: gone from the agency.
		if _, err := db.AddCaseStep(ctx, ua, c.ID, casework.Step{Kind: casework.KindShared, Sharing: &casework.Sharing{Shared: false}}); err != nil {
			t.Fatal(err)
		}
		_, err = db.Case(ctx, op, c.ID, caseToday)
		wantCase(t, err, errs.NotFound, "")
	})
}

// TestCaseWorklist: the bureau's open cases, overdue first, with what is
// due; filters.
func TestCaseWorklist(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sc := fixture(t, db)
		ua := sc["ua-reg"]
		var ids []string
		for i, due := range []person.Date{{}, {Year: 2026, Month: 12, Day: 10}, {Year: 2026, Month: 12, Day: 1}} {
			c, err := db.OpenCase(ctx, ua, soughtRecord(t, db, ua, "UA", []string{"Перший", "Другий", "Третій"}[i]), enquiry())
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, c.ID)
			if due.IsZero() {
				continue
			}
			if _, err := db.AddCaseStep(ctx, ua, c.ID, casework.Step{Kind: casework.KindTask, Task: &casework.Task{Text: "Передзвонити", Assignee: "ua-reg", Due: due}}); err != nil {
				t.Fatal(err)
			}
		}
		list, err := db.Cases(ctx, ua, casework.Filter{State: casework.Open}, caseToday)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range list {
			got = append(got, v.Case.ID)
		}
		if want := []string{ids[2], ids[1], ids[0]}; strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("worklist %v, want %v (overdue, then due, then nothing due)", got, want)
		}
		if !list[0].Due[0].Overdue || list[1].Due[0].Overdue || len(list[2].Due) != 0 {
			t.Errorf("due: %+v / %+v / %+v", list[0].Due, list[1].Due, list[2].Due)
		}
		if list, _ := db.Cases(ctx, ua, casework.Filter{Overdue: true}, caseToday); len(list) != 1 {
			t.Errorf("overdue: %d cases", len(list))
		}
	})
}

// TestImportEnquiries: all or nothing; each bad row named; a record's
// open case takes a second enquiry.
func TestImportEnquiries(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sc := fixture(t, db)
		ua := sc["ua-reg"]
		a := soughtRecord(t, db, ua, "UA", "Перший")
		b := soughtRecord(t, db, ua, "UA", "Другий")
		e := *enquiry()
		bad := []sqlstore.EnquiryImport{
			{Record: a, Enquiry: e, Where: "row 2"},
			{Record: "nobody", Enquiry: e, Where: "row 3"},
			{Record: b, Enquiry: casework.Enquiry{Name: "", Relationship: "cousin", Date: caseToday}, Where: "row 4"},
		}
		size, _ := db.LogSize(ctx)
		_, err := db.ImportEnquiries(ctx, ua, bad)
		wantCase(t, err, errs.Invalid, "")
		where := map[string]bool{}
		for _, f := range errs.Fields(err) {
			where[f.Where] = true
		}
		if !where["row 3"] || !where["row 4"] || where["row 2"] {
			t.Errorf("problems at %v, want rows 3 and 4", where)
		}
		if now, _ := db.LogSize(ctx); now != size {
			t.Errorf("a refused import wrote %d leaves", now-size)
		}
		if list, _ := db.Cases(ctx, ua, casework.Filter{}, caseToday); len(list) != 0 {
			t.Errorf("a refused import opened %d cases", len(list))
		}
		res, err := db.ImportEnquiries(ctx, ua, []sqlstore.EnquiryImport{
			{Record: a, Enquiry: e, Where: "row 2"}, {Record: b, Enquiry: e, Where: "row 3"}, {Record: a, Enquiry: e, Where: "row 4"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Opened != 2 || res.Added != 1 {
			t.Errorf("got %+v, want 2 opened, 1 added", res)
		}
		_, err = db.ImportEnquiries(ctx, sc["op"], []sqlstore.EnquiryImport{{Record: a, Enquiry: e}})
		wantCase(t, err, errs.Forbidden, "")
	})
}
