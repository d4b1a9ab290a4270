package exchange

import (
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/errs"
)

func TestInterviewValidate(t *testing.T) {
	now := time.Date(2025, 5, 20, 12, 0, 0, 0, time.UTC)
	ok := func() Interview {
		return Interview{RecordID: "r1", At: now.Add(-time.Hour), Place: "колонія №1", Interviewer: "J. Delegate", Organisation: "ICRC", Outcome: WishesReturn}
	}
	for _, tc := range []struct {
		name  string
		edit  func(*Interview)
		codes []string
	}{
		{"valid", func(*Interview) {}, nil},
		{"refuses", func(iv *Interview) { iv.Outcome = RefusesReturn }, nil},
		{"not interviewed, with the reason", func(iv *Interview) { iv.Outcome, iv.Reason = NotInterviewed, "in the infirmary" }, nil},
		{"withheld at his request", func(iv *Interview) { iv.Withhold, iv.WithholdReason = true, "fears for his family" }, nil},
		{"notes on several lines", func(iv *Interview) { iv.Notes = "one\ntwo" }, nil},
		{"no outcome", func(iv *Interview) { iv.Outcome = "" }, []string{"interview_outcome_required"}},
		{"an unknown outcome", func(iv *Interview) { iv.Outcome = "maybe" }, []string{"bad_interview_outcome"}},
		{"no time", func(iv *Interview) { iv.At = time.Time{} }, []string{"interview_at_required"}},
		{"in the future", func(iv *Interview) { iv.At = now.Add(time.Minute) }, []string{"interview_future"}},
		{"who, for whom, where", func(iv *Interview) { iv.Interviewer, iv.Organisation, iv.Place = "", "", "" },
			[]string{"interview_field_required", "interview_field_required", "interview_field_required"}},
		{"a control character", func(iv *Interview) { iv.Place = "колонія\u202e" }, []string{"interview_text"}},
		{"too long", func(iv *Interview) { iv.Notes = strings.Repeat("я", maxInterviewText+1) }, []string{"interview_text"}},
		{"not interviewed, no reason", func(iv *Interview) { iv.Outcome = NotInterviewed }, []string{"interview_reason_required"}},
		{"withheld, not interviewed", func(iv *Interview) {
			iv.Outcome, iv.Reason, iv.Withhold, iv.WithholdReason = NotInterviewed, "asleep", true, "x"
		}, []string{"interview_withhold_unheard"}},
		{"withheld without a reason", func(iv *Interview) { iv.Withhold = true }, []string{"interview_withhold_reason"}},
		{"a reason without his request", func(iv *Interview) { iv.WithholdReason = "x" }, []string{"interview_withhold_unasked"}},
		{"no longer asks", func(iv *Interview) { iv.LiftWithhold = true }, nil},
		{"asks and no longer asks", func(iv *Interview) { iv.LiftWithhold, iv.Withhold, iv.WithholdReason = true, true, "x" }, []string{"interview_withhold_both"}},
		{"no longer asks, not interviewed", func(iv *Interview) { iv.LiftWithhold, iv.Outcome, iv.Reason = true, NotInterviewed, "asleep" }, []string{"interview_withhold_unheard"}},
	} {
		iv := ok()
		tc.edit(&iv)
		iv.Normalize()
		err := iv.Validate(now)
		var got []string
		for _, fe := range errs.Fields(err) {
			got = append(got, fe.Code)
		}
		if strings.Join(got, ",") != strings.Join(tc.codes, ",") || (tc.codes != nil) != errs.Is(errs.Invalid, err) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.codes)
		}
	}
}

// TestInterviewGate: only the latest interview counts; a refusal names the
// person and the interview's date.
func TestInterviewGate(t *testing.T) {
	day := time.Date(2025, 5, 20, 10, 0, 0, 0, time.UTC)
	latest := map[string]Interview{
		"r1": {RecordID: "r1", Outcome: RefusesReturn, At: day},
		"r2": {RecordID: "r2", Outcome: WishesReturn, At: day},
		"r3": {RecordID: "r3", Outcome: NotInterviewed, At: day},
	}
	if got := RefusedInInterview(latest, []string{"r3", "r2", "r1", "r4"}); strings.Join(got, ",") != "r1" {
		t.Errorf("refused: %v", got)
	}
	err := InterviewRefusedError("op", latest, []string{"r1", "r2"})
	fe := errs.Fields(err)
	if !errs.Is(errs.Conflict, err) || len(fe) != 1 || fe[0].Code != "interview_refused" || strings.Join(fe[0].Args, ",") != "r1,2025-05-20" {
		t.Errorf("the gate: %v %+v", err, fe)
	}
	if err := InterviewRefusedError("op", latest, []string{"r2", "r3"}); err != nil {
		t.Errorf("no refusal: %v", err)
	}
	if s := (&Interview{RecordID: "r1", Outcome: RefusesReturn, Organisation: "ICRC", At: day, Notes: "secret", Interviewer: "J."}).Seen(); s != (InterviewSeen{RecordID: "r1", Outcome: RefusesReturn, Organisation: "ICRC", At: day}) {
		t.Errorf("seen: %+v", s)
	}
}

// TestInterviewPublic: the part of an interview a store keeps in clear
// holds what the parties see and the ids, times and outcome, and none of
// the neutral's own words.
func TestInterviewPublic(t *testing.T) {
	day := time.Date(2025, 5, 20, 10, 0, 0, 0, time.UTC)
	iv := Interview{ID: "iv1", Exchange: "ex1", RecordID: "r1", Party: "RU", At: day, Place: "колонія №1", Outcome: RefusesReturn,
		Reason: "боїться переслідування", Interviewer: "J. Delegate", Organisation: "ICRC", Notes: "говорив вільно",
		Withhold: true, WithholdReason: "родина під тиском", LiftWithhold: true, RecordedBy: "op", RecordedAt: day}
	want := Interview{ID: "iv1", Exchange: "ex1", RecordID: "r1", Party: "RU", At: day, Outcome: RefusesReturn, Organisation: "ICRC", RecordedBy: "op", RecordedAt: day}
	p := iv.Public()
	if p != want {
		t.Errorf("public part %+v, want %+v", p, want)
	}
	if p.Seen() != iv.Seen() {
		t.Errorf("the parties see %+v of the public part, %+v of the whole", p.Seen(), iv.Seen())
	}
	if iv.Notes == "" {
		t.Errorf("Public changed the interview itself")
	}
}
