package client_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/api"
	"github.com/handover-project/handover/internal/casework"
	"github.com/handover-project/handover/internal/client"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

// TestClientCases: a bureau's casework through the client against the
// real server: open from an enquiry, a call, a task and its doing, the
// family notified of a return, closing; the worklist and its export; an
// import of enquiries; the other party refused; the agency on a shared
// case.
func TestClientCases(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	ua, ru, op := s.as["ua-reg"], s.as["ru-reg"], s.as["op"]
	in := held("UA", 1)
	in.Fields.Kind, in.Fields.Status = person.Sought, person.StatusMissing
	rec, err := ua.CreateRecord(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ua.OpenCase(ctx, rec.ID, &casework.Enquiry{Name: "Петренко Ганна", Relationship: casework.RelParent, Reach: "+380 67 000 11 22",
		Consent: false, Date: person.Date{Year: 2026, Month: 11, Day: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if c.State != casework.Open || c.Person.Name == "" || c.Trace == nil || len(c.Steps) != 2 {
		t.Fatalf("opened %+v", c)
	}
	day := person.Date{Year: 2026, Month: 11, Day: 3}
	for _, st := range []api.CaseStepRequest{
		{Kind: casework.KindContact, Contact: &casework.Contact{Mode: casework.ModeCall, Date: day, With: "мати", Said: "Просить повідомити"}},
		{Kind: casework.KindTask, Task: &casework.Task{Text: "Лист до частини", Assignee: "ua-appr", Due: day}},
		{Kind: casework.KindTaskDone, Done: &casework.TaskDone{Task: 4}},
		{Kind: casework.KindNotified, Notice: &casework.Notice{News: casework.NewsCapture, By: "ua-reg", How: casework.ModeVisit, Date: day}},
		{Kind: casework.KindShared, Sharing: &casework.Sharing{Shared: true}},
	} {
		if c, err = ua.AddCaseStep(ctx, c.ID, st); err != nil {
			t.Fatalf("%s: %v", st.Kind, err)
		}
	}
	if len(c.Tasks) != 1 || c.Tasks[0].Done != 5 || c.Steps[2].Contact.Said != "Просить повідомити" {
		t.Errorf("after the steps: tasks %+v, contact %+v", c.Tasks, c.Steps[2].Contact)
	}
	// A bad step: a coded field error through the wire.
	_, err = ua.AddCaseStep(ctx, c.ID, api.CaseStepRequest{Kind: casework.KindContact, Contact: &casework.Contact{Mode: "pigeon", Date: day, With: "x"}})
	kindOf(t, "a contact by pigeon", err, errs.Invalid)
	if f := errs.Fields(err); len(f) == 0 || f[0].Code != "case_bad_mode" {
		t.Errorf("fields %+v", f)
	}
	// The other party sees nothing; the agency reads the shared case
	// without the reach of an enquirer who did not consent.
	_, err = ru.Case(ctx, c.ID)
	kindOf(t, "RU reads UA's case", err, errs.NotFound)
	if list, err := ru.Cases(ctx, client.CaseFilter{}); err != nil || len(list) != 0 {
		t.Errorf("RU's worklist: %d %v", len(list), err)
	}
	got, err := op.Case(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Trace != nil || got.Steps[1].Enquiry.Reach != "" || got.Steps[1].Enquiry.Name != "Петренко Ганна" {
		t.Errorf("the agency reads %+v, trace %v", got.Steps[1].Enquiry, got.Trace)
	}
	_, err = op.AddCaseStep(ctx, c.ID, api.CaseStepRequest{Kind: casework.KindClosed, Closing: &casework.Closing{Reason: casework.CloseWithdrawn}})
	kindOf(t, "the agency closes", err, errs.Forbidden)

	// The worklist and its export.
	list, err := ua.Cases(ctx, client.CaseFilter{State: "open"})
	if err != nil || len(list) != 1 || list[0].ID != c.ID {
		t.Fatalf("worklist %+v %v", list, err)
	}
	csv, err := ua.CasesFile(ctx, client.CaseFilter{}, "csv", "uk")
	if err != nil {
		t.Fatal(err)
	}
	text := string(csv)
	if !strings.Contains(text, c.ID) || !strings.Contains(text, "Заявник") || !strings.Contains(text, "Петренко Ганна") || strings.Contains(text, "+380") {
		t.Errorf("the export:\n%s", text)
	}
	xlsx, err := ua.CasesFile(ctx, client.CaseFilter{}, "xlsx", "en")
	if err != nil || !bytes.HasPrefix(xlsx, []byte("PK")) {
		t.Errorf("xlsx export: %v", err)
	}
	_, err = ua.CasesFile(ctx, client.CaseFilter{}, "pdf", "uk")
	kindOf(t, "a pdf export", err, errs.Invalid)

	// Closing: returned.
	if c, err = ua.AddCaseStep(ctx, c.ID, api.CaseStepRequest{Kind: casework.KindClosed, Closing: &casework.Closing{Reason: casework.CloseReturned}}); err != nil || c.State != casework.Closed {
		t.Fatalf("close: %v %v", c.State, err)
	}

	// Import: a second person's enquiries; a bad file imports nothing.
	in2 := held("UA", 2)
	in2.Fields.Kind, in2.Fields.Status = person.Sought, person.StatusMissing
	rec2, err := ua.CreateRecord(ctx, in2)
	if err != nil {
		t.Fatal(err)
	}
	bad := "ID запису;Заявник;Ким доводиться;Згода;Дата звернення\n" + rec2.ID + ";Іваненко Ольга;дружина;так;16.01.2026\n" + rec2.ID + ";Хтось;кум;може;31.02.2026\n"
	_, err = ua.ImportEnquiries(ctx, "enquiries.csv", strings.NewReader(bad), "", "")
	kindOf(t, "a bad file", err, errs.Invalid)
	rows := map[string]bool{}
	for _, f := range errs.Fields(err) {
		rows[f.Where+" "+f.Field] = true
	}
	for _, want := range []string{"enquiries.csv, row 3 relationship", "enquiries.csv, row 3 consent", "enquiries.csv, row 3 date"} {
		if !rows[want] {
			t.Errorf("no problem at %s: %v", want, rows)
		}
	}
	good := "ID запису;Заявник;Ким доводиться;Згода;Дата звернення\n" + rec2.ID + ";Іваненко Ольга;дружина;так;16.01.2026\n" + rec2.ID + ";Іваненко Петро;батько;ні;17.01.2026\n"
	res, err := ua.ImportEnquiries(ctx, "enquiries.csv", strings.NewReader(good), "", "")
	if err != nil || res.Opened != 1 || res.Added != 1 {
		t.Fatalf("import: %+v %v", res, err)
	}
	_, err = ru.ImportEnquiries(ctx, "enquiries.csv", strings.NewReader(good), "", "")
	kindOf(t, "RU imports about UA's record", err, errs.Invalid)
}
