package sqlstore_test

import (
	"context"
	"strings"
	"testing"

	fnote "github.com/transparency-dev/formats/note"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// A standard witness's key (C2SP tlog-cosignature, type 0x04) is registered
// as printed, shown with the fingerprint of the key as printed, and its
// cosignatures are stored and served.
func TestCosignatureKeyType04(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		l := newLogged(t, db)
		skey, _, err := audit.GenerateKey("litewitness-ua")
		if err != nil {
			t.Fatal(err)
		}
		v04 := sqltest.ActivateCosignatureKey(t, db, skey, "UA")
		keys, err := db.LogKeys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got sqlstore.LogKey
		for _, k := range keys {
			if k.Name == "litewitness-ua" {
				got = k
			}
		}
		want, _ := audit.Fingerprint(v04)
		if got.VKey != v04 || got.Fingerprint != want {
			t.Fatalf("registered %+v; want the key as printed, fingerprint %s", got, want)
		}
		cp, err := db.LatestCheckpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := audit.PeekCheckpoint(cp)
		w, err := audit.NewCosigner(skey)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.AddCosignature(ctx, c.Size, w.Sign(c.Marshal(), db.Now())); err != nil {
			t.Fatalf("cosignature by the 0x04 key: %v", err)
		}
		served, _ := db.LatestCheckpoint(ctx)
		k, err := audit.NewKeys(origin, append([]string{l.keys.LogKey}, v04)...)
		if err != nil {
			t.Fatal(err)
		}
		if sc, err := k.OpenCheckpoint(served); err != nil || !sc.CosignedBy("litewitness-ua") {
			t.Fatalf("served checkpoint: %v, %+v", err, sc)
		}
		// A 0x04 key cannot sign agreements.
		sk2, _, _ := audit.GenerateKey("ua-signer-04")
		_, err = db.ProposeKey(ctx, keyholder(t, db, "UA"), sqlstore.KeyProposal{VKey: toCosig(t, sk2), Party: "UA", Purpose: sqlstore.KeySigner})
		if !errs.Is(errs.Invalid, err) || !strings.Contains(errs.Message(err), "0x01") {
			t.Errorf("a 0x04 signer key: %v", err)
		}
	})
}

// A cosignature handed in says what is wrong with it: its form (400), no
// witness key of its name (403), another key of the name (403), or a
// signature that does not verify on this checkpoint (403). A line without
// its final newline is the same line.
func TestAddCosignatureErrorsSayWhat(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		l := newLogged(t, db)
		first, _ := db.LatestCheckpoint(ctx)
		c, _ := audit.PeekCheckpoint(first)
		w, _ := audit.NewCosigner(l.witness["ua-bureau"])
		line := w.Sign(c.Marshal(), db.Now())
		if err := db.AddCosignature(ctx, c.Size, strings.TrimSuffix(line, "\n")); err != nil {
			t.Fatalf("a line without its final newline: %v", err)
		}
		if err := db.AddCosignature(ctx, c.Size, line); err != nil {
			t.Fatalf("the same line with its newline: %v", err)
		}
		served, _ := db.LatestCheckpoint(ctx)
		if n := strings.Count(string(served), line); n != 1 {
			t.Errorf("the line is served %d times, want once", n)
		}

		stranger, _, _ := audit.GenerateKey("stranger")
		sc, _ := audit.NewCosigner(stranger)
		impostor, _, _ := audit.GenerateKey("ua-bureau")
		ic, _ := audit.NewCosigner(impostor)
		// A second checkpoint, so that a good line is on the wrong one.
		if _, err := db.CreateRecord(ctx, fixtureScopes(t, db)["ua-reg"], sqlstore.NewRecord{Party: "UA", Fields: held("Пізній")}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Checkpoint(ctx, l.signer, audit.CheckpointSchedule{}, true); err != nil {
			t.Fatal(err)
		}
		second, _ := db.LatestCheckpoint(ctx)
		c2, _ := audit.PeekCheckpoint(second)
		for _, tc := range []struct {
			name string
			line string
			kind errs.Kind
			says string
		}{
			{"not a line", "cosigned!", errs.Invalid, "not a cosignature line"},
			{"bad base64", "— ua-bureau ***", errs.Invalid, "base64"},
			{"unknown key", sc.Sign(c2.Marshal(), db.Now()), errs.Forbidden, "no witness key named stranger"},
			{"another key of the name", ic.Sign(c2.Marshal(), db.Now()), errs.Forbidden, "another key"},
			{"made on another checkpoint", line, errs.Forbidden, "does not verify on the checkpoint of size"},
		} {
			err := db.AddCosignature(ctx, c2.Size, tc.line)
			if !errs.Is(tc.kind, err) || !strings.Contains(errs.Message(err), tc.says) {
				t.Errorf("%s: %v; want %v saying %q", tc.name, err, tc.kind, tc.says)
			}
		}
	})
}

// keyholder is the first of the party's two keyholders that
// sqltest.ActivateKey made, past the second factor.
func keyholder(t *testing.T, db *sqlstore.DB, party string) access.Scope {
	t.Helper()
	u, err := db.UserByLogin(context.Background(), strings.ToLower(party)+"-keyholder-1")
	if err != nil {
		t.Fatal(err)
	}
	u.MFA = true
	return u.Scope()
}

func toCosig(t *testing.T, skey string) string {
	t.Helper()
	v, err := fnote.VKeyToCosignatureV1(sqltest.VerifierKey(t, skey))
	if err != nil {
		t.Fatal(err)
	}
	return v
}
