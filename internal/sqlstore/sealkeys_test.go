package sqlstore_test

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// newKey is the data key a rotation moves to in the tests.
var newKey = []byte("fedcba9876543210fedcba9876543210")

// keyFile stands for a keys file that 'handover key rotate-data' rewrites
// while a server runs: the server reads it again when the database names a
// key it lacks.
type keyFile struct {
	mu   sync.Mutex
	keys [][]byte
}

func (f *keyFile) set(keys ...[]byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.keys = keys
}

func (f *keyFile) read() ([][]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.keys, nil
}

// TestSealRotationWhileWriting rotates the data key of a store with a whole
// history while a server on the same database (a second store, which holds
// only the old key at first) goes on writing records with sealed fields,
// during the re-sealing too. Afterwards every sealed value of the database
// is under the new key, every record the server wrote opens with the new
// key alone, the old key alone is refused at open, and the audit passes.
func TestSealRotationWhileWriting(t *testing.T) {
	ctx := context.Background()
	for _, dialect := range sqltest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			dsn := sqltest.DSN(t, dialect)
			file := &keyFile{keys: [][]byte{sqltest.Key}}
			server, err := sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: sqltest.Key, ReloadSealKeys: file.read})
			if err != nil {
				t.Fatal(err)
			}
			defer server.Close()
			h := newHistory(t, server)
			s := h.scopes["ua-reg"]
			var mu sync.Mutex
			var written []string
			write := func(name string) error {
				f := held(name)
				f.Health = "health of " + name
				f.NextOfKin = "kin of " + name
				r, err := server.CreateRecord(ctx, s, sqlstore.NewRecord{Party: "UA", Fields: f})
				if err != nil {
					return err
				}
				mu.Lock()
				written = append(written, r.ID)
				mu.Unlock()
				return nil
			}
			for i := range 40 {
				if err := write(fmt.Sprintf("Перший%d", i)); err != nil {
					t.Fatal(err)
				}
			}
			before, err := server.SealedCounts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			old := sqlstore.KeyID(sqltest.Key)
			if len(before) != 1 || before[old] < 40 {
				t.Fatalf("sealed values before the rotation: %v, want all under %s", before, old)
			}

			// The rotating process opens the database before the writer
			// starts: SQLite's busy handler is not fair, and a writer with
			// no pause between its transactions could starve the open's
			// migration check past its busy timeout (a test artefact: no
			// server writes without a pause).
			file.set(sqltest.Key, newKey)
			rot, err := sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: sqltest.Key, SealKeys: [][]byte{newKey}})
			if err != nil {
				t.Fatal(err)
			}
			defer rot.Close()

			// The writer goes on during the whole rotation.
			stop := make(chan struct{})
			werr := make(chan error, 1)
			go func() {
				for i := 0; ; i++ {
					select {
					case <-stop:
						werr <- nil
						return
					default:
					}
					if err := write(fmt.Sprintf("Паралельний%d", i)); err != nil {
						werr <- err
						return
					}
					// A pause between writes, as a server has between
					// requests: SQLite's busy handler is not fair.
					time.Sleep(time.Millisecond)
				}
			}()

			if err := rot.StartSealRotation(ctx, newKey); err != nil {
				t.Fatal(err)
			}
			// Started again (a resumed rotation): no error, nothing changes.
			if err := rot.StartSealRotation(ctx, newKey); err != nil {
				t.Fatalf("resuming the rotation: %v", err)
			}
			batches := 0
			st, err := rot.Reseal(ctx, 7, func(string, sqlstore.ResealStats) {
				// Between two batches the server writes, deterministically.
				batches++
				if err := write(fmt.Sprintf("Між%d", batches)); err != nil {
					t.Error(err)
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			close(stop)
			if err := <-werr; err != nil {
				t.Fatal(err)
			}
			if st.Resealed < 40 || batches < 5 {
				t.Fatalf("re-sealed %d values in %d batches, want at least 40 in several", st.Resealed, batches)
			}
			retired, err := rot.FinishSealRotation(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(retired) != 1 || retired[0] != old {
				t.Fatalf("retired %v, want [%s]", retired, old)
			}

			// Every sealed value is under the new key: scanned, one by one.
			after, err := rot.SealedCounts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			nid := sqlstore.KeyID(newKey)
			if len(after) != 1 || after[nid] == 0 {
				t.Fatalf("sealed values after the rotation: %v, want all under %s", after, nid)
			}
			var n int64
			for v := range maps.Values(before) {
				n += v
			}
			if after[nid] < n+int64(batches) {
				t.Fatalf("%d sealed values after, %d before and %d written between batches", after[nid], n, batches)
			}

			// The new key alone opens everything; the old key alone is refused.
			only, err := sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: newKey})
			if err != nil {
				t.Fatal(err)
			}
			defer only.Close()
			mu.Lock()
			ids := append([]string(nil), written...)
			mu.Unlock()
			for _, id := range ids {
				r, err := only.Record(ctx, s, id)
				if err != nil {
					t.Fatalf("record %s with the new key alone: %v", id, err)
				}
				if !strings.HasPrefix(r.Fields.Health, "health of ") || !strings.HasPrefix(r.Fields.NextOfKin, "kin of ") {
					t.Fatalf("record %s: sealed fields %q, %q", id, r.Fields.Health, r.Fields.NextOfKin)
				}
			}
			if _, err := only.Case(ctx, s, h.caseID, caseToday); err != nil {
				t.Fatalf("the case with the new key alone: %v", err)
			}
			res, err := only.AuditLog(ctx, h.keys)
			if err != nil {
				t.Fatal(err)
			}
			if !res.OK() {
				t.Fatalf("audit after the rotation: %+v", res.Findings)
			}
			if _, err := sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: sqltest.Key}); !errs.Is(errs.Invalid, err) {
				t.Fatalf("opened with the retired key alone: %v, want Invalid", err)
			}
			// A rotation back to the retired key is refused.
			if err := rot.StartSealRotation(ctx, sqltest.Key); !errs.Is(errs.Conflict, err) {
				t.Fatalf("rotation back to the retired key: %v, want Conflict", err)
			}
		})
	}
}

// TestSealRotationUnfinished: the old key is not retired while a value is
// left under it, and a second rotation cannot start over an unfinished one.
func TestSealRotationUnfinished(t *testing.T) {
	ctx := context.Background()
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		h := newHistory(t, db)
		f := held("Запечатаний")
		f.Health = "поранення"
		if _, err := db.CreateRecord(ctx, h.scopes["ua-reg"], sqlstore.NewRecord{Party: "UA", Fields: f}); err != nil {
			t.Fatal(err)
		}
		if err := db.StartSealRotation(ctx, newKey); err != nil {
			t.Fatal(err)
		}
		if _, err := db.FinishSealRotation(ctx); !errs.Is(errs.Conflict, err) {
			t.Fatalf("finished with values under the old key: %v, want Conflict", err)
		}
		third := []byte("00000000000000001111111111111111")
		if err := db.StartSealRotation(ctx, third); !errs.Is(errs.Conflict, err) {
			t.Fatalf("a second rotation over an unfinished one: %v, want Conflict", err)
		}
		if _, err := db.Reseal(ctx, 0, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := db.FinishSealRotation(ctx); err != nil {
			t.Fatal(err)
		}
		keys, err := db.SealKeys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		states := map[string]string{}
		for _, k := range keys {
			states[k.ID] = k.State
		}
		want := map[string]string{sqlstore.KeyID(sqltest.Key): sqlstore.SealRetired, sqlstore.KeyID(newKey): sqlstore.SealCurrent}
		if !maps.Equal(states, want) {
			t.Fatalf("keys %v, want %v", states, want)
		}
	})
}

// TestResealChangesOnlyTheSealedValue: the append-only guards of
// record_versions and case_steps let a sealed value be sealed again, and
// nothing else be changed.
func TestResealChangesOnlyTheSealedValue(t *testing.T) {
	ctx := context.Background()
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		f := held("Охоронений")
		f.Health = "поранення"
		h := newHistory(t, db)
		r, err := db.CreateRecord(ctx, h.scopes["ua-reg"], sqlstore.NewRecord{Party: "UA", Fields: f})
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			`UPDATE record_versions SET body = '{}' WHERE record_seq = ` + seqOf(r.ID),
			`UPDATE record_versions SET sealed = NULL WHERE record_seq = ` + seqOf(r.ID),
			`UPDATE record_versions SET reason = 'x', sealed = sealed WHERE record_seq = ` + seqOf(r.ID),
			`UPDATE case_steps SET body = '{}'`,
			`DELETE FROM record_versions WHERE record_seq = ` + seqOf(r.ID),
		} {
			if err := db.RawExec(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v, want refused as append-only", q, err)
			}
		}
		if err := db.RawExec(ctx, `UPDATE record_versions SET sealed = sealed WHERE record_seq = `+seqOf(r.ID)); err != nil {
			t.Errorf("sealing again refused: %v", err)
		}
	})
}

// TestSealRotationHeldUploads: an import preview held under the old key
// is sealed again with the new one, counted with the other sealed values,
// keeps the old key from being retired while it is under it, and opens
// with the new key alone afterwards.
func TestSealRotationHeldUploads(t *testing.T) {
	ctx := context.Background()
	for _, dialect := range sqltest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			dsn := sqltest.DSN(t, dialect)
			db, err := sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: sqltest.Key, SealKeys: [][]byte{newKey}})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			now := time.Now().UTC()
			sess := [32]byte{9}
			b := sqlstore.UploadBounds{PerUser: 5, MaxBytes: 1 << 20}
			bodies := map[string][]byte{}
			for i := range 5 {
				id := fmt.Sprintf("up%d", i)
				bodies[id] = []byte(fmt.Sprintf(`{"row":%d,"next_of_kin":"Марія Іваненко"}`, i))
				if err := db.HoldUpload(ctx, sqlstore.HeldUpload{ID: id, User: 1, Session: sess, Size: 10, Expires: now.Add(time.Hour), Body: bodies[id]}, b, now); err != nil {
					t.Fatal(err)
				}
			}
			old := sqlstore.KeyID(sqltest.Key)
			if c, err := db.SealedCounts(ctx); err != nil || c[old] != 5 {
				t.Fatalf("sealed values before the rotation: %v (%v), want the 5 uploads under %s", c, err, old)
			}
			if err := db.StartSealRotation(ctx, newKey); err != nil {
				t.Fatal(err)
			}
			if _, err := db.FinishSealRotation(ctx); !errs.Is(errs.Conflict, err) {
				t.Fatalf("finished with uploads under the old key: %v, want Conflict", err)
			}
			if _, err := db.Reseal(ctx, 2, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := db.FinishSealRotation(ctx); err != nil {
				t.Fatal(err)
			}
			nid := sqlstore.KeyID(newKey)
			if c, err := db.SealedCounts(ctx); err != nil || len(c) != 1 || c[nid] != 5 {
				t.Fatalf("sealed values after the rotation: %v (%v), want the 5 uploads under %s", c, err, nid)
			}
			only, err := sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: newKey})
			if err != nil {
				t.Fatal(err)
			}
			defer only.Close()
			for id, want := range bodies {
				got, ok, err := only.UploadHeld(ctx, id, 1, sess, now)
				if err != nil || !ok || string(got) != string(want) {
					t.Fatalf("upload %s with the new key alone: %q %v %v", id, got, ok, err)
				}
			}
		})
	}
}

// TestUploadSealedWithCurrentKey: a server that started with the old key
// first in its ring holds import previews during a rotation and after it.
// Each is sealed with the database's current key, as every other sealed
// write: one held between the re-sealing and its end does not keep the
// old key from being retired, and after the rotation no value is under
// the retired key (the check 'handover key rotate-data' ends with).
func TestUploadSealedWithCurrentKey(t *testing.T) {
	ctx := context.Background()
	for _, dialect := range sqltest.Dialects(t) {
		t.Run(dialect, func(t *testing.T) {
			dsn := sqltest.DSN(t, dialect)
			file := &keyFile{keys: [][]byte{sqltest.Key}}
			server, err := sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: sqltest.Key, ReloadSealKeys: file.read})
			if err != nil {
				t.Fatal(err)
			}
			defer server.Close()
			now := time.Now().UTC()
			sess := [32]byte{3}
			b := sqlstore.UploadBounds{PerUser: 5, MaxBytes: 1 << 20}
			bodies := map[string][]byte{}
			hold := func(id string) {
				t.Helper()
				bodies[id] = []byte(`{"surname":"Ґонтаренко","health":"контузія","upload":"` + id + `"}`)
				if err := server.HoldUpload(ctx, sqlstore.HeldUpload{ID: id, User: 1, Session: sess, Size: 10, Expires: now.Add(time.Hour), Body: bodies[id]}, b, now); err != nil {
					t.Fatal(err)
				}
			}
			hold("before")

			// 'handover key rotate-data' in another process: the new key
			// goes into the file, becomes current, everything is sealed
			// again; the server holds an upload before the rotation ends.
			file.set(sqltest.Key, newKey)
			rot, err := sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: sqltest.Key, SealKeys: [][]byte{newKey}})
			if err != nil {
				t.Fatal(err)
			}
			defer rot.Close()
			if err := rot.StartSealRotation(ctx, newKey); err != nil {
				t.Fatal(err)
			}
			if _, err := rot.Reseal(ctx, 100, nil); err != nil {
				t.Fatal(err)
			}
			hold("during")
			if _, err := rot.FinishSealRotation(ctx); err != nil {
				t.Fatalf("an upload held during the rotation kept it from finishing: %v", err)
			}
			file.set(newKey) // the old key leaves the file for FILE.retired
			hold("after")

			nid := sqlstore.KeyID(newKey)
			c, err := rot.SealedCounts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(c) != 1 || c[nid] != 3 {
				t.Fatalf("sealed values after the rotation: %v, want the 3 uploads under the new key %s", c, nid)
			}
			only, err := sqlstore.Open(ctx, sqlstore.Config{DSN: dsn, SealKey: newKey})
			if err != nil {
				t.Fatal(err)
			}
			defer only.Close()
			for id, want := range bodies {
				got, ok, err := only.UploadHeld(ctx, id, 1, sess, now)
				if err != nil || !ok || string(got) != string(want) {
					t.Fatalf("upload %q with the new key alone: %q %v %v", id, got, ok, err)
				}
			}
		})
	}
}
