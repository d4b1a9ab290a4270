package witness_test

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
	"github.com/handover-project/handover/internal/witness"
)

// buildTool builds a tool that go.mod pins (a tool directive) into dir, or
// skips the test when it cannot be built here (no module cache and no
// module proxy); with CI=true it fails instead.
func buildTool(t *testing.T, dir string, pkgs ...string) {
	t.Helper()
	cmd := exec.Command("go", append([]string{"build", "-o", dir + "/"}, pkgs...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("go build %v: %v\n%s", pkgs, err, out)
		}
		t.Skipf("cannot build %v here (set CI=true to fail): %v\n%s", pkgs, err, out)
	}
}

// noteSkey returns a signed-note private key (type 0x01, as 'handover
// keygen' writes) for an Ed25519 seed.
func noteSkey(name string, priv ed25519.PrivateKey) string {
	pub := priv.Public().(ed25519.PublicKey)
	h := sha256.Sum256(append([]byte(name+"\n\x01"), pub...))
	return fmt.Sprintf("PRIVATE+KEY+%s+%02x%02x%02x%02x+%s", name, h[0], h[1], h[2], h[3],
		base64.StdEncoding.EncodeToString(append([]byte{1}, priv.Seed()...)))
}

// startAgent serves the ssh-agent protocol on a socket in dir, holding
// priv: the key litewitness signs with.
func startAgent(t *testing.T, dir string, priv ed25519.PrivateKey) string {
	t.Helper()
	sock := filepath.Join(dir, "agent.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	keyring := agent.NewKeyring()
	if err := keyring.Add(agent.AddedKey{PrivateKey: priv, Comment: "litewitness"}); err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); agent.ServeAgent(keyring, c) }()
		}
	}()
	return sock
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestLitewitnessInterop: a standard C2SP witness (filippo.io/torchwood's
// litewitness, pinned in go.mod as a tool), started on a port with its own
// key behind an ssh-agent socket, is configured as a witness of the log:
// the log's checkpoints get its cosignatures by themselves, its key as it
// prints it (type 0x04) is the one the log registered, the log's audit
// accepts the cosigned checkpoints, and a rewritten log is refused.
func TestLitewitnessInterop(t *testing.T) {
	if testing.Short() {
		t.Skip("builds litewitness")
	}
	bin := t.TempDir()
	buildTool(t, bin, "filippo.io/torchwood/cmd/litewitness", "filippo.io/torchwood/cmd/witnessctl")
	dir := t.TempDir()
	ctx := context.Background()

	db := sqltest.Open(t, "sqlite")
	logSkey, _, _ := audit.GenerateKey(origin)
	l := newLog(t, db, logSkey)

	// litewitness's key: an Ed25519 key in an ssh-agent.
	const name = "witness.example/litewitness"
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sshPub, err := ssh.NewPublicKey(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	sock := startAgent(t, dir, priv)
	wdb := filepath.Join(dir, "litewitness.db")
	for _, args := range [][]string{{"add-log", "-db", wdb, "-origin", origin}, {"add-key", "-db", wdb, "-origin", origin, "-key", l.vkey}} {
		if out, err := exec.Command(filepath.Join(bin, "witnessctl"), args...).CombinedOutput(); err != nil {
			t.Fatalf("witnessctl %v: %v\n%s", args, err, out)
		}
	}
	addr := freeAddr(t)
	lw := exec.Command(filepath.Join(bin, "litewitness"), "-db", wdb, "-name", name, "-key", ssh.FingerprintSHA256(sshPub),
		"-ssh-agent", sock, "-listen", addr)
	stderr, _ := lw.StderrPipe()
	if err := lw.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lw.Process.Kill(); lw.Wait() })
	printed := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if _, v, ok := strings.Cut(sc.Text(), "vkey="); ok {
				printed <- strings.Trim(v, `"`)
			}
		}
	}()
	url := "http://" + addr
	for i := 0; ; i++ {
		resp, err := http.Get(url + "/")
		if err == nil {
			resp.Body.Close()
			break
		}
		if i == 100 {
			t.Fatalf("litewitness did not start: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var vkey string
	select {
	case vkey = <-printed:
	case <-time.After(10 * time.Second):
		t.Fatal("litewitness printed no verifier key")
	}

	// The operator registers the key as litewitness printed it: a 0x04
	// key, the same as the 0x04 form of the note key of the same seed.
	skey := noteSkey(name, priv)
	v04 := sqltest.ActivateCosignatureKey(t, db, skey, "UA")
	if v04 != vkey {
		t.Fatalf("litewitness prints %s; the 0x04 form of its key is %s", vkey, v04)
	}
	if k, err := audit.KeyType(vkey); err != nil || k != audit.KeyCosignature {
		t.Fatalf("litewitness's key: %v, %v", k, err)
	}

	cl := witness.NewClient(db, []witness.Target{{Name: name, URL: url}}, nil, quiet)
	for round, n := range []int{2, 260, 3} {
		c := l.grow(n)
		cl.Round(ctx)
		st := cl.Statuses()[0]
		if st.CosignedSize != c.Size || st.LastError != "" {
			t.Fatalf("round %d: %+v; want cosigned %d", round, st, c.Size)
		}
		t.Logf("checkpoint %d cosigned by litewitness; add-checkpoint round trip %s", c.Size, st.RoundTrip)
	}
	keysFile := l.vkey + "\n" + vkey + " # litewitness\n"
	keys, err := audit.ParseKeys([]byte(keysFile), origin)
	if err != nil {
		t.Fatal(err)
	}
	served, _ := db.LatestCheckpoint(ctx)
	sc, err := keys.OpenCheckpoint(served)
	if err != nil || !sc.CosignedBy(name) {
		t.Fatalf("the served checkpoint: %v, %v", err, sc.Cosigners)
	}
	if res, err := db.AuditLog(ctx, keys); err != nil || !res.OK() {
		t.Fatalf("audit with litewitness's key: %v, %v", err, res)
	}
	if _, err := fnote.NewVerifierForCosignatureV1(vkey); err != nil {
		t.Fatal(err)
	}

	// The log rewritten: another database with the same log key, which
	// made a checkpoint at the size litewitness holds, with another root.
	// litewitness refuses the proof from there (422), and nothing is stored.
	other := sqltest.Open(t, "sqlite")
	l2 := newLog(t, other, logSkey)
	sqltest.ActivateCosignatureKey(t, other, skey, "UA")
	l2.growTo(sc.Size)
	l2.grow(1)
	cl2 := witness.NewClient(other, []witness.Target{{Name: name, URL: url}}, nil, quiet)
	cl2.Round(ctx)
	st := cl2.Statuses()[0]
	if st.CosignedSize != 0 || st.Failures != 1 || !strings.Contains(st.LastError, "422") {
		t.Fatalf("the rewritten log: %+v; want refused with 422", st)
	}
	t.Logf("the rewritten log: %s", st.LastError)
}
