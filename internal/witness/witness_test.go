package witness_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
	"github.com/handover-project/handover/internal/witness"
)

const origin = "handover.test/witness-log"

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// logUnderTest is a store with a log key and a way to grow the log.
type logUnderTest struct {
	t      *testing.T
	db     *sqlstore.DB
	signer *sqlstore.Signer
	vkey   string
	n      int
}

func newLog(t *testing.T, db *sqlstore.DB, skey string) *logUnderTest {
	t.Helper()
	signer, err := sqlstore.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateParty(context.Background(), "UA", "Ukraine"); err != nil {
		t.Fatal(err)
	}
	return &logUnderTest{t: t, db: db, signer: signer, vkey: sqltest.VerifierKey(t, skey)}
}

// grow adds n accounts (each a leaf) and makes a checkpoint.
func (l *logUnderTest) grow(n int) audit.Checkpoint {
	l.t.Helper()
	ctx := context.Background()
	for range n {
		l.n++
		if _, err := l.db.CreateUser(ctx, sqlstore.NewUser{Login: fmt.Sprintf("u%d", l.n), Role: access.PartyRegistrar, Party: "UA",
			Password: "a long enough password", Argon2: access.Argon2Params{Memory: 1024, Time: 1, Threads: 1}}); err != nil {
			l.t.Fatal(err)
		}
	}
	cp, err := l.db.Checkpoint(ctx, l.signer, audit.CheckpointSchedule{}, true)
	if err != nil {
		l.t.Fatal(err)
	}
	c, _ := audit.PeekCheckpoint(cp)
	return c
}

// growTo adds accounts until the log has exactly size leaves, and makes a
// checkpoint there.
func (l *logUnderTest) growTo(size int64) {
	l.t.Helper()
	ctx := context.Background()
	for {
		n, err := l.db.LogSize(ctx)
		if err != nil {
			l.t.Fatal(err)
		}
		if n > size {
			l.t.Fatalf("the log has %d leaves, beyond %d", n, size)
		}
		if n == size {
			break
		}
		l.n++
		if _, err := l.db.CreateUser(ctx, sqlstore.NewUser{Login: fmt.Sprintf("u%d", l.n), Role: access.PartyRegistrar, Party: "UA",
			Password: "a long enough password", Argon2: access.Argon2Params{Memory: 1024, Time: 1, Threads: 1}}); err != nil {
			l.t.Fatal(err)
		}
	}
	if _, err := l.db.Checkpoint(ctx, l.signer, audit.CheckpointSchedule{}, true); err != nil {
		l.t.Fatal(err)
	}
}

// startWitness runs handover's witness for the log on a port, with its state
// in dir; it returns the witness's URL and its private key.
func startWitness(t *testing.T, logVKey, name, dir string) (string, string) {
	t.Helper()
	skey, _, err := audit.GenerateKey(name)
	if err != nil {
		t.Fatal(err)
	}
	c, err := audit.NewCosigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := audit.NewKeys(origin, logVKey)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(witness.NewServer(c, keys, witness.FileState(filepath.Join(dir, "state")), quiet))
	t.Cleanup(srv.Close)
	return srv.URL, skey
}

// The log submits each checkpoint to its witness by itself: the first from
// size 0, the next with the consistency proof from the size the witness
// cosigned; a witness key registered as 0x04 works the same; the served
// checkpoint carries the cosignatures.
func TestClientCosignsByItself(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		logSkey, _, _ := audit.GenerateKey(origin)
		l := newLog(t, db, logSkey)
		urlA, skeyA := startWitness(t, l.vkey, "ua-witness", t.TempDir())
		urlB, skeyB := startWitness(t, l.vkey, "litewitness-b", t.TempDir())
		vA := sqltest.ActivateKey(t, db, skeyA, "UA", sqlstore.KeyWitness)
		vB := sqltest.ActivateCosignatureKey(t, db, skeyB, "UA")
		cl := witness.NewClient(db, []witness.Target{{Name: "ua-witness", URL: urlA}, {Name: "litewitness-b", URL: urlB}}, nil, quiet)

		for round, n := range []int{3, 300, 1} {
			c := l.grow(n)
			cl.Round(ctx)
			for _, st := range cl.Statuses() {
				if st.CosignedSize != c.Size || st.LastError != "" || st.Failures != 0 {
					t.Fatalf("round %d: %s: %+v; want cosigned %d", round, st.Name, st, c.Size)
				}
			}
			served, _ := db.LatestCheckpoint(ctx)
			keys, _ := audit.NewKeys(origin, l.vkey, vA, vB)
			sc, err := keys.OpenCheckpoint(served)
			if err != nil || !sc.CosignedBy("ua-witness") || !sc.CosignedBy("litewitness-b") {
				t.Fatalf("round %d: served %v, %+v", round, err, sc.Cosigners)
			}
		}
	})
}

// A witness that is down holds up nothing: the log goes on making
// checkpoints, the client backs off and says why, and when the witness is
// back it catches up from the size it cosigned.
func TestClientWitnessDown(t *testing.T) {
	db := sqltest.Open(t, "sqlite")
	ctx := context.Background()
	logSkey, _, _ := audit.GenerateKey(origin)
	l := newLog(t, db, logSkey)
	dir := t.TempDir()
	skey, _, _ := audit.GenerateKey("ua-witness")
	c, _ := audit.NewCosigner(skey)
	keys, _ := audit.NewKeys(origin, l.vkey)
	srv := httptest.NewServer(witness.NewServer(c, keys, witness.FileState(filepath.Join(dir, "state")), quiet))
	sqltest.ActivateKey(t, db, skey, "UA", sqlstore.KeyWitness)
	url := srv.URL
	cl := witness.NewClient(db, []witness.Target{{Name: "ua-witness", URL: url}}, nil, quiet)
	first := l.grow(2)
	cl.Round(ctx)
	srv.Close()
	second := l.grow(5)
	cl.Round(ctx)
	st := cl.Statuses()[0]
	if st.CosignedSize != first.Size || st.Failures != 1 || !strings.Contains(st.LastError, "cannot be reached") || !st.NextAttempt.After(st.LastAttempt) {
		t.Fatalf("witness down: %+v", st)
	}
	if second.Size <= first.Size {
		t.Fatal("the log did not grow while the witness was down")
	}
	// Back on the same address, with its state: the next round waits for
	// the back-off; a client without back-off state catches up from the
	// size the witness cosigned.
	srv2 := httptest.NewUnstartedServer(witness.NewServer(c, keys, witness.FileState(filepath.Join(dir, "state")), quiet))
	srv2.Listener.Close()
	srv2.Listener = listenOn(t, strings.TrimPrefix(url, "http://"))
	srv2.Start()
	defer srv2.Close()
	cl.Round(ctx)
	if st := cl.Statuses()[0]; st.CosignedSize != first.Size {
		t.Fatalf("a round within the back-off went out: %+v", st)
	}
	cl2 := witness.NewClient(db, []witness.Target{{Name: "ua-witness", URL: url}}, nil, quiet)
	cl2.Round(ctx)
	if st := cl2.Statuses()[0]; st.CosignedSize != second.Size || st.LastError != "" {
		t.Fatalf("after the witness is back: %+v", st)
	}
}

// A witness that lost its state (size 0) answers 409 with its size, and the
// client starts again from there; a witness that holds a checkpoint of this
// log's name that this log never made (a fork, or the database restored
// from an older copy) is refused by the client with that reason.
func TestClientConflictAndFork(t *testing.T) {
	db := sqltest.Open(t, "sqlite")
	ctx := context.Background()
	logSkey, _, _ := audit.GenerateKey(origin)
	l := newLog(t, db, logSkey)
	dir := t.TempDir()
	url, skey := startWitness(t, l.vkey, "ua-witness", dir)
	sqltest.ActivateKey(t, db, skey, "UA", sqlstore.KeyWitness)
	cl := witness.NewClient(db, []witness.Target{{Name: "ua-witness", URL: url}}, nil, quiet)
	l.grow(2)
	cl.Round(ctx)
	// The witness loses its state: 409 "0", then from 0.
	if err := os.Remove(filepath.Join(dir, "state")); err != nil {
		t.Fatal(err)
	}
	c := l.grow(3)
	cl.Round(ctx)
	if st := cl.Statuses()[0]; st.CosignedSize != c.Size || st.LastError != "" {
		t.Fatalf("after the witness lost its state: %+v", st)
	}

	// Another database with the same log key (the log rewritten): the
	// witness holds a size the other log never made, or a root it did not.
	other := sqltest.Open(t, "sqlite")
	l2 := newLog(t, other, logSkey)
	l2.grow(40)
	sqltest.ActivateKey(t, other, skey, "UA", sqlstore.KeyWitness)
	l2.grow(1)
	cl2 := witness.NewClient(other, []witness.Target{{Name: "ua-witness", URL: url}}, nil, quiet)
	cl2.Round(ctx)
	st := cl2.Statuses()[0]
	if st.CosignedSize != 0 || st.Failures != 1 || !(strings.Contains(st.LastError, "never made") || strings.Contains(st.LastError, "forked")) {
		t.Fatalf("a rewritten log: %+v; want refused as a fork", st)
	}
}

func listenOn(t *testing.T, addr string) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return ln
}
