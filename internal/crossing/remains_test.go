package crossing

import (
	"fmt"
	"testing"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
)

// TestRemainsJune2025 follows the shape of June 2025: 1,212 bodies one way
// and 78 the other, several persons in one package, one person spread over
// packages of two batches, and a body of the sending side's own soldier
// identified by DNA and handed back.
func TestRemainsJune2025(t *testing.T) {
	r, err := NewRepatriation("RU", "UA")
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(r.AddBatch(Batch{ID: "b1", Sender: "RU", Receiver: "UA", At: day(11), Declared: 1212}))
	must(r.AddBatch(Batch{ID: "b2", Sender: "RU", Receiver: "UA", At: day(13), Declared: 1200}))
	must(r.AddBatch(Batch{ID: "b3", Sender: "UA", Receiver: "RU", At: day(11), Declared: 78}))
	for i := range 1212 {
		pkg := fmt.Sprintf("b1-p%d", i)
		must(r.AddPackage(Package{ID: pkg, Batch: "b1", Tag: fmt.Sprint(i)}))
		must(r.AddRemains(Remains{ID: fmt.Sprintf("b1-r%d", i), Batch: "b1", Claim: Claim{Side: "UA"}, Packages: []string{pkg}}))
	}
	for i := range 78 {
		pkg := fmt.Sprintf("b3-p%d", i)
		must(r.AddPackage(Package{ID: pkg, Batch: "b3"}))
		must(r.AddRemains(Remains{ID: fmt.Sprintf("b3-r%d", i), Batch: "b3", Claim: Claim{Side: "RU", RecordID: fmt.Sprintf("record:%d", i)}, Packages: []string{pkg}}))
	}
	// Package b1-p0 holds a second person too.
	must(r.AddRemains(Remains{ID: "b1-extra", Batch: "b1", Claim: Claim{Side: "UA"}, Packages: []string{"b1-p0"}}))
	if got := r.PackageRemains("b1-p0"); len(got) != 2 {
		t.Fatalf("package b1-p0 holds %v, want 2 persons", got)
	}
	// Person b1-r1 is also found in a package of the next batch.
	must(r.AddPackage(Package{ID: "b2-p0", Batch: "b2"}))
	must(r.Link(Link{Package: "b2-p0", Remains: "b1-r1"}))
	must(r.Link(Link{Package: "b2-p0", Remains: "b1-r1"})) // twice: no-op
	st, err := r.Status("b1-r1")
	must(err)
	if len(st.Packages) != 2 || st.Status != IDClaimed {
		t.Fatalf("b1-r1 %+v", st)
	}

	// A visual identification cannot confirm.
	err = r.Identify(Identification{ID: "i0", Remains: "b1-r2", Status: IDConfirmed, Method: MethodVisual, Examiner: "user:exp", At: day(20), Side: "UA"})
	wantKind(t, err, errs.Invalid)
	must(r.Identify(Identification{ID: "i1", Remains: "b1-r2", Status: IDPreliminary, Method: MethodVisual, Examiner: "user:exp", At: day(20), Side: "UA", RecordID: "record:77"}))
	must(r.Identify(Identification{ID: "i2", Remains: "b1-r2", Status: IDConfirmed, Method: MethodDNA, Examiner: "user:lab", At: day(28), Side: "UA", RecordID: "record:77"}))
	must(r.Identify(Identification{ID: "i2", Remains: "b1-r2", Status: IDConfirmed, Method: MethodDNA, Examiner: "user:lab", At: day(28), Side: "UA", RecordID: "record:77"}))
	err = r.Identify(Identification{ID: "i2", Remains: "b1-r2", Status: IDExcluded, Method: MethodDNA, Examiner: "user:lab", At: day(28)})
	wantKind(t, err, errs.Conflict)

	// b1-r3 turns out to be a Russian soldier: handed back.
	err = r.HandBack(Batch{ID: "back-1", Sender: "UA", Receiver: "RU", At: day(30)}, []string{"b1-r3"})
	wantKind(t, err, errs.Invalid) // not identified yet
	must(r.Identify(Identification{ID: "i3", Remains: "b1-r3", Status: IDExcluded, Method: MethodDNA, Examiner: "user:lab", At: day(25), Note: "not the claimed side"}))
	must(r.Identify(Identification{ID: "i4", Remains: "b1-r3", Status: IDConfirmed, Method: MethodDNA, Examiner: "user:lab", At: day(26), Side: "RU"}))
	err = r.HandBack(Batch{ID: "back-1", Sender: "UA", Receiver: "RU", At: day(30)}, []string{"b1-r3", "b1-r2"})
	wantKind(t, err, errs.Invalid) // b1-r2 is Ukrainian: all or nothing
	must(r.HandBack(Batch{ID: "back-1", Sender: "UA", Receiver: "RU", At: day(30)}, []string{"b1-r3"}))
	err = r.Identify(Identification{ID: "i5", Remains: "b1-r3", Status: IDConfirmed, Method: MethodDental, Examiner: "user:lab", At: day(31), Side: "RU"})
	wantKind(t, err, errs.Conflict)

	sum := r.Summary()
	if len(sum) != 2 {
		t.Fatalf("summary %+v", sum)
	}
	ru, ua := sum[0], sum[1]
	if ru.Sender != "RU" || ru.Declared != 2412 || ru.Remains != 1213 || ru.Batches != 2 || ru.Packages != 1213 ||
		ru.ByStatus[IDConfirmed] != 2 || ru.OtherSide != 1 || ru.HandedBack != 1 {
		t.Fatalf("RU→UA %+v", ru)
	}
	if ua.Sender != "UA" || ua.Remains != 78 || ua.Batches != 2 {
		t.Fatalf("UA→RU %+v", ua)
	}

	st, err = r.Status("b1-r2")
	must(err)
	if len(st.Identifications) != 2 || st.Status != IDConfirmed {
		t.Fatalf("b1-r2 %+v", st)
	}
	for _, c := range []map[string]string{
		Batch{ID: "b", Sender: "RU", Receiver: "UA", At: day(1), Declared: 3}.Content(),
		Package{ID: "p", Batch: "b"}.Content(), Remains{ID: "r", Batch: "b", Claim: Claim{Side: "UA"}}.Content(),
		Link{Package: "p", Remains: "r"}.Content(), st.Identifications[0].Content(),
	} {
		if _, err := audit.CanonicalJSON(c); err != nil {
			t.Error(err)
		}
	}
}

func TestRemainsIdempotentAndInvalid(t *testing.T) {
	r, err := NewRepatriation("RU", "UA")
	if err != nil {
		t.Fatal(err)
	}
	b := Batch{ID: "b1", Sender: "RU", Receiver: "UA", At: day(1)}
	if err := r.AddBatch(b); err != nil {
		t.Fatal(err)
	}
	if err := r.AddBatch(b); err != nil {
		t.Fatalf("same batch again: %v", err)
	}
	b.Declared = 5
	wantKind(t, r.AddBatch(b), errs.Conflict)
	wantKind(t, r.AddBatch(Batch{ID: "b2", Sender: "RU", Receiver: "RU", At: day(1)}), errs.Invalid)
	wantKind(t, r.AddPackage(Package{ID: "p", Batch: "nope"}), errs.Invalid)
	wantKind(t, r.AddRemains(Remains{ID: "r", Batch: "b1", Claim: Claim{Side: "UA"}}), errs.Invalid)
	wantKind(t, r.Link(Link{Package: "p", Remains: "r"}), errs.NotFound)
	_, err = r.Status("r")
	wantKind(t, err, errs.NotFound)
	_, err = NewRepatriation("UA", "UA")
	wantKind(t, err, errs.Invalid)
}

func TestIDTransitionTable(t *testing.T) {
	for from, tos := range idTransitions {
		for _, to := range tos {
			if to == IDClaimed {
				t.Errorf("%s → claimed: a claim is never re-made by an examination", from)
			}
		}
	}
	if idAllowed(IDConfirmed, IDPreliminary) {
		t.Error("a confirmation must not step back to preliminary; it is excluded or re-confirmed")
	}
}

// TestRemainsBlankFields: a blank batch, package or remains is required,
// by a coded field error on that field, not "«» is not a batch" or a
// message with no field, so that a form says it at the field in the
// user's language.
func TestRemainsBlankFields(t *testing.T) {
	r, err := NewRepatriation("RU", "UA")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.AddBatch(Batch{ID: "b1", Sender: "RU", Receiver: "UA", At: day(1)}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		err   error
		kind  errs.Kind
		field string
		code  string
	}{
		{"package without batch", r.AddPackage(Package{ID: "p"}), errs.Invalid, "batch", "required"},
		{"remains without batch", r.AddRemains(Remains{ID: "r", Claim: Claim{Side: "UA"}, Packages: []string{"p"}}), errs.Invalid, "batch", "required"},
		{"link without package", r.Link(Link{Remains: "r"}), errs.Invalid, "package", "required"},
		{"link without remains", r.Link(Link{Package: "p"}), errs.Invalid, "remains", "required"},
		{"link to an unknown package", r.Link(Link{Package: "p9", Remains: "r"}), errs.NotFound, "package", "not_package"},
		{"identification without remains", r.Identify(Identification{ID: "i", Status: IDExcluded, Method: MethodVisual, Examiner: "x", At: day(2)}), errs.Invalid, "remains", "required"},
	} {
		wantKind(t, tc.err, tc.kind)
		found := false
		for _, fe := range errs.Fields(tc.err) {
			found = found || fe.Field == tc.field && fe.Code == tc.code
		}
		if !found {
			t.Errorf("%s: %v has no field error %s %s", tc.name, tc.err, tc.field, tc.code)
		}
	}
}
