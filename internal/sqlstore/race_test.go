package sqlstore_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/crossing"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// race runs do on both stores at once, rounds times, each round from a
// common start, and checks that exactly one call of each round wins and
// the other gets a Conflict.
func race(t *testing.T, rounds int, a, b *sqlstore.DB, do func(db *sqlstore.DB, round, who int) error) {
	t.Helper()
	for r := range rounds {
		var start, done sync.WaitGroup
		start.Add(1)
		var errsOf [2]error
		for i, db := range []*sqlstore.DB{a, b} {
			done.Add(1)
			go func() {
				defer done.Done()
				start.Wait()
				errsOf[i] = do(db, r, i)
			}()
		}
		start.Done()
		done.Wait()
		won, lost := 0, 0
		for _, err := range errsOf {
			switch {
			case err == nil:
				won++
			case errs.Is(errs.Conflict, err):
				lost++
			default:
				t.Fatalf("round %d: %v", r, err)
			}
		}
		if won != 1 || lost != 1 {
			t.Fatalf("round %d: %d won and %d got a Conflict (%v), want exactly one of each", r, won, lost, errsOf)
		}
	}
}

// TestRecordRemainsRace: two server processes record the same batch id
// with different content at the same moment. Exactly one is stored; the
// other is a Conflict, and the stored flow still replays.
func TestRecordRemainsRace(t *testing.T) {
	sqltest.EachDBTwo(t, func(t *testing.T, a, b *sqlstore.DB) {
		ctx := context.Background()
		f := newCrossing(t, a, 1, false)
		op := f.scopes["op"]
		race(t, 8, a, b, func(db *sqlstore.DB, round, who int) error {
			batch := crossing.Batch{ID: fmt.Sprintf("b%d", round), Sender: "RU", Receiver: "UA", At: at0, Declared: 10 + who}
			_, err := db.RecordRemains(ctx, op, f.ex, sqlstore.RemainsInput{Kind: "batch", Batch: &batch})
			return err
		})
		v, err := a.Remains(ctx, f.scopes["aud"], f.ex)
		if err != nil {
			t.Fatalf("the stored remains do not read back: %v", err)
		}
		if len(v.Summary) == 0 {
			t.Errorf("no batches in the summary: %+v", v)
		}
	})
}

// TestSignAgreementRace: the same approver's signature of one version
// reaches two server processes at once. Exactly one is stored; the other
// is a Conflict.
func TestSignAgreementRace(t *testing.T) {
	sqltest.EachDBTwo(t, func(t *testing.T, a, b *sqlstore.DB) {
		ctx := context.Background()
		f := newCrossing(t, a, 1, false)
		sk, _, _ := audit.GenerateKey("signer-ua-appr")
		sqltest.ActivateKey(t, a, sk, "UA", sqlstore.KeySigner)
		ns, _ := note.NewSigner(sk)
		for v := 1; v <= 6; v++ {
			if v > 1 {
				if _, err := a.FreezeAgreement(ctx, f.scopes["op"], f.logSigner, f.ex, f.plan); err != nil {
					t.Fatal(err)
				}
			}
			ag, err := a.Agreement(ctx, f.scopes["ua-appr"], f.ex, v)
			if err != nil {
				t.Fatal(err)
			}
			line, err := exchange.Sign([]byte(ag.Document), ns)
			if err != nil {
				t.Fatal(err)
			}
			race(t, 1, a, b, func(db *sqlstore.DB, _, _ int) error {
				_, err := db.SignAgreement(ctx, f.scopes["ua-appr"], f.ex, v, line)
				return err
			})
			if ag, err = a.Agreement(ctx, f.scopes["aud"], f.ex, v); err != nil {
				t.Fatal(err)
			} else if len(ag.Signed) != 1 {
				t.Fatalf("version %d carries %d signatures, want the one of UA", v, len(ag.Signed))
			}
		}
	})
}

// sweep runs first on a and second on b, two stores of one database, with
// an offset that moves from round to round across span: second starts
// span/2 before first in the first round and span/2 after it in the last,
// so that each call meets the other at every point of its course in some
// round. check is given each round's errors.
func sweep(t *testing.T, rounds int, span time.Duration, a, b *sqlstore.DB, first, second func(db *sqlstore.DB, round int) error, check func(round int, err1, err2 error)) {
	t.Helper()
	for r := range rounds {
		var wg sync.WaitGroup
		var err1, err2 error
		offset := span*time.Duration(r)/time.Duration(rounds-1) - span/2
		wg.Add(2)
		go func() {
			defer wg.Done()
			time.Sleep(-offset)
			err1 = first(a, r)
		}()
		go func() {
			defer wg.Done()
			time.Sleep(offset)
			err2 = second(b, r)
		}()
		wg.Wait()
		check(r, err1, err2)
	}
}

// leafIndex returns the index of the last log leaf of type typ about
// subject, or -1.
func leafIndex(t *testing.T, db *sqlstore.DB, typ audit.LeafType, subject string) int64 {
	t.Helper()
	ctx := context.Background()
	size, err := db.LogSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	leaves, err := db.Leaves(ctx, 0, size)
	if err != nil {
		t.Fatal(err)
	}
	for i := len(leaves) - 1; i >= 0; i-- {
		l, err := audit.DecodeLeaf(leaves[i])
		if err != nil {
			t.Fatal(err)
		}
		if l.Type == typ && l.Subject == subject {
			return int64(i)
		}
	}
	return -1
}

// TestSignSupersededRace: an approver signs the latest agreement version
// while the mediator freezes the next one. Either the signature is logged
// before the new version, or it is refused as a Conflict: a signature is
// never added to a version already superseded.
func TestSignSupersededRace(t *testing.T) {
	sqltest.EachDBTwo(t, func(t *testing.T, a, b *sqlstore.DB) {
		ctx := context.Background()
		f := newCrossing(t, a, 1, false)
		sk, _, _ := audit.GenerateKey("signer-ua-appr")
		sqltest.ActivateKey(t, a, sk, "UA", sqlstore.KeySigner)
		ns, _ := note.NewSigner(sk)
		start := time.Now()
		if _, err := a.FreezeAgreement(ctx, f.scopes["op"], f.logSigner, f.ex, f.plan); err != nil {
			t.Fatal(err)
		}
		span := 3 * time.Since(start)
		lost := 0
		sweep(t, 16, span, a, b, func(db *sqlstore.DB, r int) error {
			_, err := db.FreezeAgreement(ctx, f.scopes["op"], f.logSigner, f.ex, f.plan)
			return err
		}, func(db *sqlstore.DB, r int) error {
			v := r + 2 // the latest version when the round starts
			ag, err := db.Agreement(ctx, f.scopes["ua-appr"], f.ex, v)
			if err != nil {
				return err
			}
			line, err := exchange.Sign([]byte(ag.Document), ns)
			if err != nil {
				return err
			}
			_, err = db.SignAgreement(ctx, f.scopes["ua-appr"], f.ex, v, line)
			return err
		}, func(r int, errFreeze, errSign error) {
			v := r + 2
			if errFreeze != nil {
				t.Fatalf("round %d: freeze: %v", r, errFreeze)
			}
			if errSign != nil {
				if !errs.Is(errs.Conflict, errSign) {
					t.Fatalf("round %d: sign: %v, want a Conflict or success", r, errSign)
				}
				lost++
				return
			}
			signed := leafIndex(t, a, audit.AgreementSigned, fmt.Sprintf("agreement:%s/%d", f.ex, v))
			next := leafIndex(t, a, "agreement.frozen", fmt.Sprintf("agreement:%s/%d", f.ex, v+1))
			if signed < 0 || next < 0 || signed > next {
				t.Fatalf("round %d: the signature of version %d is leaf %d, after version %d was frozen at leaf %d", r, v, signed, v+1, next)
			}
		})
		t.Logf("%d of 16 signatures came too late and were refused", lost)
	})
}

// TestFreezeReadinessRace: the mediator freezes the agreement while a
// party withdraws its acceptance of a person. Either the agreement is
// logged before the answer, or the freeze is refused as a Conflict (the
// negotiation is no longer ready): an agreement never freezes a
// negotiation that was not ready when it was frozen.
func TestFreezeReadinessRace(t *testing.T) {
	sqltest.EachDBTwo(t, func(t *testing.T, a, b *sqlstore.DB) {
		ctx := context.Background()
		f := newCrossing(t, a, 1, false)
		rec := f.held["RU"][0]
		answer := func(db *sqlstore.DB, ans exchange.Answer) error {
			_, err := db.Respond(ctx, f.scopes["ua-reg"], f.ex, "RU", exchange.Offer, 1, []exchange.Response{{RecordID: rec, Answer: ans, Reason: "changed " + strings.ToLower(string(ans))}})
			return err
		}
		start := time.Now()
		if _, err := a.FreezeAgreement(ctx, f.scopes["op"], f.logSigner, f.ex, f.plan); err != nil {
			t.Fatal(err)
		}
		span := 3 * time.Since(start)
		lost := 0
		subject := fmt.Sprintf("answer:%s/RU/%s/%s", f.ex, exchange.Offer, rec)
		sweep(t, 16, span, a, b, func(db *sqlstore.DB, r int) error {
			_, err := db.FreezeAgreement(ctx, f.scopes["op"], f.logSigner, f.ex, f.plan)
			return err
		}, func(db *sqlstore.DB, r int) error {
			return answer(db, exchange.Reject)
		}, func(r int, errFreeze, errAnswer error) {
			if errAnswer != nil {
				t.Fatalf("round %d: answer: %v", r, errAnswer)
			}
			if errFreeze != nil {
				if !errs.Is(errs.Conflict, errFreeze) {
					t.Fatalf("round %d: freeze: %v, want a Conflict or success", r, errFreeze)
				}
				lost++
			} else {
				ag, err := a.Agreement(ctx, f.scopes["aud"], f.ex, 0)
				if err != nil {
					t.Fatal(err)
				}
				frozen := leafIndex(t, a, "agreement.frozen", fmt.Sprintf("agreement:%s/%d", f.ex, ag.Version))
				answered := leafIndex(t, a, "list.answered", subject)
				if frozen < 0 || answered < 0 || answered < frozen {
					t.Fatalf("round %d: version %d was frozen at leaf %d, after the person it lists was rejected at leaf %d", r, ag.Version, frozen, answered)
				}
			}
			if err := answer(a, exchange.Accept); err != nil {
				t.Fatal(err)
			}
		})
		t.Logf("%d of 16 freezes came too late and were refused", lost)
	})
}

// TestEvidenceRace: two registrars each add a consent event to the same
// person's evidence at once, on two server processes. Consent events are
// only ever added: one entry is stored, the other is refused (it would
// drop the first one's event), and the stored evidence is the winner's.
func TestEvidenceRace(t *testing.T) {
	sqltest.EachDBTwo(t, func(t *testing.T, a, b *sqlstore.DB) {
		ctx := context.Background()
		f := newCrossing(t, a, 1, false)
		rec := f.held["UA"][0]
		day := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
		var kept []exchange.Consent
		for r := range 6 {
			var wins [2]exchange.Evidence
			var errsOf [2]error
			var wg sync.WaitGroup
			for i, db := range []*sqlstore.DB{a, b} {
				ev := exchange.Evidence{Consent: append(append([]exchange.Consent{}, kept...),
					exchange.Consent{Kind: exchange.ConsentGiven, Date: day.AddDate(0, 0, r), Witness: fmt.Sprintf("witness %d of round %d", i+1, r)})}
				wins[i] = ev
				wg.Add(1)
				go func() {
					defer wg.Done()
					errsOf[i] = db.SetEvidence(ctx, f.scopes["ua-reg"], rec, ev)
				}()
			}
			wg.Wait()
			if (errsOf[0] == nil) == (errsOf[1] == nil) {
				t.Fatalf("round %d: %v and %v, want exactly one entry stored", r, errsOf[0], errsOf[1])
			}
			w := 0
			if errsOf[0] != nil {
				w = 1
			}
			if k := errs.KindOf(errsOf[1-w]); k != errs.Invalid && k != errs.Conflict {
				t.Fatalf("round %d: the refused entry: %v", r, errsOf[1-w])
			}
			got, err := a.Evidence(ctx, f.scopes["ua-reg"], rec)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Consent) != r+1 || got.Consent[r].Witness != wins[w].Consent[r].Witness {
				t.Fatalf("round %d: stored consent %+v, want the winner's %+v", r, got.Consent, wins[w].Consent)
			}
			kept = got.Consent
		}
	})
}

// TestStageAcrossServers: two server processes on one database share a
// stage. What one records, the other shows at once (its stage in memory is
// checked against the database on every read, not only on a write), and
// officers recording through both at the same moment never get a
// Conflict for the other server's writes: every event is applied once.
func TestStageAcrossServers(t *testing.T) {
	sqltest.EachDBTwo(t, func(t *testing.T, a, b *sqlstore.DB) {
		ctx := context.Background()
		const n = 24
		f := newCrossing(t, a, n, true)
		if _, err := a.OpenStage(ctx, f.scopes["op"], f.ex, 1); err != nil {
			t.Fatal(err)
		}
		pending := func(db *sqlstore.DB) int {
			t.Helper()
			v, err := db.Stage(ctx, f.scopes["op"], f.ex, 1)
			if err != nil {
				t.Fatal(err)
			}
			return v.Report.Sides["UA"].Total.Pending
		}
		if got := pending(b); got != 0 {
			t.Fatalf("b before any event: %d released, want 0", got)
		}
		if _, err := a.RecordEvents(ctx, f.scopes["ua-officer"], f.ex, 1, []crossing.Event{released("e0", "UA", f.held["UA"][0])}); err != nil {
			t.Fatal(err)
		}
		if got := pending(b); got != 1 {
			t.Fatalf("b after a recorded one release: %d released, want 1", got)
		}
		// Both servers record at once, each its own persons, one event a
		// request, as two officers' phones would.
		var wg sync.WaitGroup
		errc := make(chan error, n)
		for i := 1; i < n; i++ {
			db := []*sqlstore.DB{a, b}[i%2]
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := db.RecordEvents(ctx, f.scopes["ua-officer"], f.ex, 1, []crossing.Event{released(fmt.Sprintf("e%d", i), "UA", f.held["UA"][i])})
				if err == nil && res.Results[0].Status != "applied" {
					err = fmt.Errorf("event e%d: %+v", i, res.Results[0])
				}
				errc <- err
			}()
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			if err != nil {
				t.Errorf("recording through two servers at once: %v", err)
			}
		}
		for i, db := range []*sqlstore.DB{a, b} {
			if got := pending(db); got != n {
				t.Errorf("server %d after both recorded: %d released, want %d", i+1, got, n)
			}
		}
	})
}
