package crossing

import (
	"testing"
	"time"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
)

func day(d int) time.Time { return time.Date(2025, 5, d, 12, 0, 0, 0, time.UTC) }

func TestTraceFromStage(t *testing.T) {
	s, b := openStage(t, map[person.Category]int{person.Military: 3}, 1, Rule{Kind: NForN, Reserves: true})
	mustApply(t, s, b.crossed("RU", "RU-military-0")...)
	mustApply(t, s, b.refused("RU", "RU-military-1"), b.notPresented("RU", "RU-military-2"))
	mustApply(t, s, b.replaced("RU", "RU-military-2", "RU-military-r0")...)
	ref := StageRef{Exchange: "exchange:1", Stage: 1}
	register := []TraceFact{
		{Status: TraceReported, At: day(1), Source: "record:9"},
		{Status: TraceConfirmedCaptive, At: day(5), Note: "seen in a video"},
		{Status: TraceListed, At: day(10)},
		{Status: TraceAgreed, At: day(16)},
	}
	for _, tc := range []struct {
		rec          string
		bureau       TraceStatus
		familyOpen   FamilyStatus
		familyClosed FamilyStatus
	}{
		{"RU-military-0", TraceReturned, FamilyConfirmedCaptive, FamilyReturned},
		{"RU-military-1", TraceRefused, FamilyConfirmedCaptive, FamilyRefusedExchange},
		{"RU-military-2", TraceConfirmedCaptive, FamilyConfirmedCaptive, FamilyConfirmedCaptive},
		{"RU-military-r0", TraceReturned, FamilyConfirmedCaptive, FamilyReturned},
	} {
		t.Run(tc.rec, func(t *testing.T) {
			tr, err := DeriveTrace("record:9", append(append([]TraceFact(nil), register...), s.TraceFacts("RU", tc.rec)...))
			if err != nil {
				t.Fatal(err)
			}
			if tr.Status != tc.bureau {
				t.Fatalf("bureau status %s, want %s; history %+v", tr.Status, tc.bureau, tr.History)
			}
			bv := tr.View(ViewerBureau, nil)
			if bv.Status != tc.bureau.String() || len(bv.History) != len(tr.History) {
				t.Fatalf("bureau view %+v", bv)
			}
			fv := tr.View(ViewerFamily, nil)
			if fv.Status != string(tc.familyOpen) || fv.Stage != (StageRef{}) || !fv.Since.Equal(day(5)) {
				t.Fatalf("family view while the stage is open: %+v", fv)
			}
			for _, e := range fv.History {
				if e.Note != "" || e.Stage != (StageRef{}) {
					t.Fatalf("family sees detail: %+v", e)
				}
			}
			fv = tr.View(ViewerFamily, map[StageRef]bool{ref: true})
			if fv.Status != string(tc.familyClosed) {
				t.Fatalf("family view after the stage closed: %+v", fv)
			}
		})
	}
}

func TestTraceOrderAndValidation(t *testing.T) {
	tr, err := DeriveTrace("r", []TraceFact{
		{Status: TraceDied, At: day(20)},
		{Status: TraceReported, At: day(1)},
		{Status: TraceIdentified, At: day(25)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Status != TraceIdentified || tr.History[0].Status != TraceReported {
		t.Fatalf("trace %+v", tr)
	}
	fv := tr.View(ViewerFamily, nil)
	if fv.Status != string(FamilyRemainsIdentified) || len(fv.History) != 3 {
		t.Fatalf("family view %+v", fv)
	}
	_, err = DeriveTrace("r", []TraceFact{{Status: TraceInStage, At: day(1)}, {Status: 0}})
	wantKind(t, err, errs.Invalid)
	if n := len(errs.Fields(err)); n != 3 {
		t.Fatalf("got %d field errors, want 3: %v", n, err)
	}
}

func TestTraceCancelledStage(t *testing.T) {
	s, err := New(mkPlan(4, map[person.Category]int{person.Military: 1}, 0), Rule{Kind: NForN})
	if err != nil {
		t.Fatal(err)
	}
	b := newEv()
	mustApply(t, s, b.stage(StageOpened, ""), b.stage(StageSuspended, "talks broke down"), b.stage(StageCancelled, "talks broke down"))
	f := s.TraceFacts("UA", "UA-military-0")
	if len(f) != 2 || f[0].Status != TraceInStage || f[1].Status != TraceConfirmedCaptive {
		t.Fatalf("facts %+v", f)
	}
	if s.TraceFacts("UA", "nobody") != nil {
		t.Fatal("facts for a person not in the stage")
	}
}
