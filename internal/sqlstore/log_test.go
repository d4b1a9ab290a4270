package sqlstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

const origin = "handover.test/log"

// logged sets up a store with records, a correction, registered witness
// keys and a checkpoint, and returns what tests need.
type logged struct {
	db      *sqlstore.DB
	signer  *sqlstore.Signer
	keys    *audit.Keys
	ids     []string
	witness map[string]string // name → private key
}

func newLogged(t *testing.T, db *sqlstore.DB) *logged {
	t.Helper()
	ctx := context.Background()
	sc := fixture(t, db)
	skey, vkey, err := audit.GenerateKey(origin)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := sqlstore.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	l := &logged{db: db, signer: signer, witness: map[string]string{}}
	vkeys := []string{vkey}
	for _, w := range []struct{ name, party string }{{"ua-bureau", "UA"}, {"ru-bureau", "RU"}, {"mediator", ""}} {
		wsk, _, err := audit.GenerateKey(w.name)
		if err != nil {
			t.Fatal(err)
		}
		wvk := sqltest.ActivateKey(t, db, wsk, w.party, sqlstore.KeyWitness)
		l.witness[w.name] = wsk
		vkeys = append(vkeys, wvk)
	}
	if l.keys, err = audit.NewKeys(origin, vkeys...); err != nil {
		t.Fatal(err)
	}
	var nrs []sqlstore.NewRecord
	for i := range 5 {
		f := held(fmt.Sprintf("Запис%d", i))
		f.Health = "здоровий"
		nrs = append(nrs, sqlstore.NewRecord{Party: "UA", Fields: f})
	}
	recs, err := db.CreateRecords(ctx, sc["ua-reg"], nrs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		l.ids = append(l.ids, r.ID)
	}
	f := recs[0].Fields
	f.Notes = "corrected"
	if _, err := db.CorrectRecord(ctx, sc["ua-reg"], recs[0].ID, 1, f, "note"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Checkpoint(ctx, signer, audit.CheckpointSchedule{}, true); err != nil {
		t.Fatal(err)
	}
	return l
}

func (l *logged) audit(t *testing.T) *sqlstore.AuditResult {
	t.Helper()
	res, err := l.db.AuditLog(context.Background(), l.keys)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestLogWrittenWithChanges(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		l := newLogged(t, db)
		n, err := db.LogSize(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != 2*(8+6)+6+5+1+1 { // 8 accounts and 6 keyholders, each made with its password, 3 keys proposed and confirmed, 5 records, 1 correction, the checkpoint
			t.Fatalf("log size %d, want 41", n)
		}
		for i := range n {
			data, err := db.Leaf(ctx, i)
			if err != nil {
				t.Fatal(err)
			}
			leaf, err := audit.DecodeLeaf(data)
			if err != nil {
				t.Fatalf("leaf %d: %v", i, err)
			}
			// No personal data in clear in any leaf.
			for _, s := range []string{"Запис", "здоровий", "Олександр", "А-123456"} {
				if strings.Contains(string(data), s) {
					t.Errorf("leaf %d holds %q in clear: %s", i, s, data)
				}
			}
			if i == 39 && (leaf.Type != audit.RecordCorrected || leaf.Rev != 2 || leaf.Prev.IsZero()) {
				t.Errorf("leaf 39 = %+v, want a correction to version 2 with prev", leaf)
			}
		}
		// A refused batch writes no leaf.
		sc := fixtureScopes(t, db)
		_, err = db.CreateRecords(ctx, sc["ua-reg"], []sqlstore.NewRecord{{Party: "UA", Fields: held("Ok")}, {Party: "UA", Fields: held("")}})
		if !errs.Is(errs.Invalid, err) {
			t.Fatalf("got %v", err)
		}
		if m, _ := db.LogSize(ctx); m != n {
			t.Errorf("log grew from %d to %d on a refused batch", n, m)
		}
		res := l.audit(t)
		if !res.OK() || res.Records != 6 || res.Replayed != 6 {
			t.Fatalf("clean audit: ok=%v records=%d replayed=%d\n%s", res.OK(), res.Records, res.Replayed, res.Summary())
		}
		// The triggers refuse edits.
		if err := db.RawExec(ctx, `UPDATE log_leaves SET data = ? WHERE idx = 0`, []byte("x")); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("update of a leaf: got %v, want the trigger to refuse", err)
		}
		if err := db.RawExec(ctx, `DELETE FROM record_versions`); err == nil {
			t.Error("delete of record versions was allowed")
		}
	})
}

// fixtureScopes returns the scopes of the users fixture made.
func fixtureScopes(t *testing.T, db *sqlstore.DB) map[string]access.Scope {
	t.Helper()
	out := map[string]access.Scope{}
	for _, login := range []string{"ua-reg", "admin"} {
		u, err := db.UserByLogin(context.Background(), login)
		if err != nil {
			t.Fatal(err)
		}
		out[login] = u.Scope()
	}
	return out
}

func TestLogTamper(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(ctx context.Context, l *logged) error
		want   string // a finding code or message fragment
	}{
		{"change a record field", func(ctx context.Context, l *logged) error {
			return l.db.RawExec(ctx, `UPDATE record_versions SET body = REPLACE(body, 'Запис2', 'Підмінений') WHERE version = 1`)
		}, string(sqlstore.RecordChanged)},
		{"change a sealed field", func(ctx context.Context, l *logged) error {
			return l.db.RawExec(ctx, `UPDATE record_versions SET sealed = NULL WHERE version = 1`)
		}, string(sqlstore.RecordChanged)},
		{"delete a leaf", func(ctx context.Context, l *logged) error {
			return l.db.RawExec(ctx, `DELETE FROM log_leaves WHERE idx = 4`)
		}, "leaf 4"},
		{"change a leaf", func(ctx context.Context, l *logged) error {
			return l.db.RawExec(ctx, `UPDATE log_leaves SET data = (SELECT data FROM log_leaves WHERE idx = 5) WHERE idx = 4`)
		}, "leaf 4"},
		{"reorder two leaves", func(ctx context.Context, l *logged) error {
			if err := l.db.RawExec(ctx, `UPDATE log_leaves SET idx = 1000 WHERE idx = 5`); err != nil {
				return err
			}
			if err := l.db.RawExec(ctx, `UPDATE log_leaves SET idx = 5 WHERE idx = 6`); err != nil {
				return err
			}
			return l.db.RawExec(ctx, `UPDATE log_leaves SET idx = 6 WHERE idx = 1000`)
		}, "leaf 5"},
		{"truncate the log", func(ctx context.Context, l *logged) error {
			if err := l.db.RawExec(ctx, `DELETE FROM log_hashes WHERE idx >= ?`, audit.StoredHashIndex(6)); err != nil {
				return err
			}
			return l.db.RawExec(ctx, `DELETE FROM log_leaves WHERE idx >= 6`)
		}, string(sqlstore.RecordUnlogged)},
		{"add a version without a leaf", func(ctx context.Context, l *logged) error {
			return l.db.RawExec(ctx, `INSERT INTO record_versions (record_seq, version, category, status, body, source, source_ref, entered_by, entered_at, reason)
				SELECT record_seq, 9, category, status, body, source, source_ref, entered_by, entered_at, reason FROM record_versions WHERE version = 2`)
		}, string(sqlstore.RecordUnlogged)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
				ctx := context.Background()
				l := newLogged(t, db)
				if err := db.DropGuards(ctx); err != nil {
					t.Fatal(err)
				}
				if err := tc.tamper(ctx, l); err != nil {
					t.Fatalf("tamper: %v", err)
				}
				res := l.audit(t)
				if res.OK() {
					t.Fatalf("audit found nothing after %s", tc.name)
				}
				s := res.Summary()
				for _, f := range res.Findings {
					s += " " + string(f.Code)
				}
				if !strings.Contains(s, tc.want) {
					t.Errorf("findings do not mention %q:\n%s", tc.want, s)
				}
			})
		})
	}
}

func TestLogUnregisteredCheckpointKey(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		l := newLogged(t, db)
		// A checkpoint signed by another key with the same origin name.
		skey, _, _ := audit.GenerateKey(origin)
		rogue, err := sqlstore.NewSigner(skey)
		if err != nil {
			t.Fatal(err)
		}
		sc := fixtureScopes(t, db)
		if _, err := db.CreateRecord(ctx, sc["ua-reg"], sqlstore.NewRecord{Party: "UA", Fields: held("Новий")}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Checkpoint(ctx, rogue, audit.CheckpointSchedule{}, true); err != nil {
			t.Fatal(err)
		}
		res := l.audit(t)
		if res.OK() {
			t.Fatal("a checkpoint signed by an unregistered key passed the audit")
		}
		t.Log(res.Summary())
	})
}

func TestCheckpointScheduleAndCosign(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		l := newLogged(t, db)
		first, err := db.LatestCheckpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// Not due: the same checkpoint comes back.
		again, err := db.Checkpoint(ctx, l.signer, audit.CheckpointSchedule{EveryLeaves: 100}, false)
		if err != nil || string(again) != string(first) {
			t.Fatalf("checkpoint when not due: %v", err)
		}
		// A witness cosigns after checking consistency from nothing.
		c, err := audit.NewCosigner(l.witness["ua-bureau"])
		if err != nil {
			t.Fatal(err)
		}
		line, _, err := audit.Cosign(c, l.keys, nil, first, nil, db.Now())
		if err != nil {
			t.Fatal(err)
		}
		cp, _ := audit.PeekCheckpoint(first)
		if err := db.AddCosignature(ctx, cp.Size, line); err != nil {
			t.Fatal(err)
		}
		if err := db.AddCosignature(ctx, cp.Size, line); err != nil {
			t.Fatalf("cosigning twice: %v", err)
		}
		withCosig, _ := db.LatestCheckpoint(ctx)
		sc, err := l.keys.OpenCheckpoint(withCosig)
		if err != nil || !sc.CosignedBy("ua-bureau") {
			t.Fatalf("cosignature not served: %v %+v", err, sc)
		}
		// A cosignature by an unregistered key is refused.
		rsk, _, _ := audit.GenerateKey("stranger")
		rc, _ := audit.NewCosigner(rsk)
		bad := rc.Sign(cp.Marshal(), db.Now())
		if err := db.AddCosignature(ctx, cp.Size, bad); !errs.Is(errs.Forbidden, err) {
			t.Errorf("stranger's cosignature: got %v, want forbidden", err)
		}
		// Proofs verify with the independent verifier.
		p, err := db.ProveInclusion(ctx, 3)
		if err != nil {
			t.Fatal(err)
		}
		ip, err := audit.ParseInclusionProof(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ip.Verify(l.keys, audit.Policy{}); err != nil {
			t.Fatalf("inclusion proof: %v", err)
		}
		if _, err := db.ProveInclusion(ctx, 999); !errs.Is(errs.NotFound, err) {
			t.Errorf("proof beyond the checkpoint: got %v", err)
		}
	})
}

// TestLogReplaysNegotiation checks that the audit replays the negotiation:
// every exchange, list version, answer and evidence entry matches a leaf
// that commits to it, and a row changed or removed behind the log's back is
// found.
func TestLogReplaysNegotiation(t *testing.T) {
	tests := []struct {
		name   string
		tamper string
		want   audit.FindingCode
	}{
		{"clean", "", ""},
		{"an answer rewritten", `UPDATE exchange_responses SET body = REPLACE(body, '"query"', '"accept"')`, sqlstore.EventChanged},
		{"a list version rewritten", `UPDATE exchange_lists SET body = REPLACE(body, '"first"', '"second"')`, sqlstore.EventChanged},
		{"evidence removed", `DELETE FROM evidence`, sqlstore.EventMissing},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
				ctx := context.Background()
				l := newLogged(t, db)
				sc := fixtureScopes(t, db)
				op, _ := db.UserByLogin(ctx, "op")
				ruReg, _ := db.UserByLogin(ctx, "ru-reg")
				ex, err := db.OpenExchange(ctx, op.Scope(), exchange.Exchange{Name: "replay", Parties: [2]string{"UA", "RU"}, Crossings: []string{"border"},
					Terms: exchange.Terms{Kind: exchange.Numeric, Total: 1, Rules: []exchange.Rule{{ID: "mil", Category: person.Military}}}})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.SubmitList(ctx, sc["ua-reg"], ex.ID, exchange.Offer, []exchange.Item{{RecordID: l.ids[1], Category: person.Military}}, nil, "first"); err != nil {
					t.Fatal(err)
				}
				if _, err := db.Respond(ctx, ruReg.Scope(), ex.ID, "UA", exchange.Offer, 1, []exchange.Response{{RecordID: l.ids[1], Answer: exchange.Query, Reason: "which unit?"}}); err != nil {
					t.Fatal(err)
				}
				if err := db.SetEvidence(ctx, sc["ua-reg"], l.ids[2], exchange.Evidence{Blocker: exchange.PendingProsecution}); err != nil {
					t.Fatal(err)
				}
				if tc.tamper != "" {
					if err := db.DropGuards(ctx); err != nil {
						t.Fatal(err)
					}
					if err := db.RawExec(ctx, tc.tamper); err != nil {
						t.Fatal(err)
					}
				}
				res := l.audit(t)
				if tc.want == "" {
					if !res.OK() {
						t.Fatalf("clean negotiation fails the audit:\n%s", res.Summary())
					}
					return
				}
				found := false
				for _, f := range res.Findings {
					found = found || f.Code == tc.want
				}
				if !found {
					t.Fatalf("want a %s finding:\n%s", tc.want, res.Summary())
				}
			})
		})
	}
}
