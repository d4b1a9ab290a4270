package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestFilesArePrivate: every file handover writes is readable by its
// user alone (0600) and every directory it makes is 0700, whatever the
// umask: the database and its WAL and shared-memory files, the data key,
// the log's keys, the URL file, exported registers, linkage results and
// keys from keygen. The issue found handover.db and its WAL world-readable.
// A data directory or database left open by an older version is closed.
func TestFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0) // so that a mode handover does not set shows
	defer syscall.Umask(old)
	root := t.TempDir()
	dir := filepath.Join(root, "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(ctx context.Context, args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
		if code := m.Run(ctx, args); code != 0 {
			t.Fatalf("handover %s: exit %d: %s%s", strings.Join(args, " "), code, out.String(), errb.String())
		}
		return out.String()
	}
	private := func(when string, paths ...string) {
		t.Helper()
		for _, p := range paths {
			fi, err := os.Stat(p)
			if err != nil {
				t.Errorf("%s: %v", when, err)
				continue
			}
			want := os.FileMode(0o600)
			if fi.IsDir() {
				want = 0o700
			}
			if got := fi.Mode().Perm(); got != want {
				t.Errorf("after %s: %s has mode %04o, want %04o", when, filepath.Base(p), got, want)
			}
		}
	}
	ctx := context.Background()
	db := filepath.Join(dir, "handover.db")
	run(ctx, "init", "--dir", dir, "--party", "UA=Ukraine", "--admin", "admin")
	private("init", dir, db, filepath.Join(dir, "data.key"), filepath.Join(dir, "log.key"), filepath.Join(dir, "log.pub"))
	out := run(ctx, "user", "add", "--dir", dir, "--login", "ua-reg", "--role", "party_registrar", "--party", "UA")
	code := enrolmentCode.FindStringSubmatch(out)
	if code == nil {
		t.Fatalf("user add printed %q, want an enrolment code", out)
	}
	pw := filepath.Join(root, "pw")
	if err := os.WriteFile(pw, []byte("a long enough password\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run(ctx, "enrol", "--dir", dir, "--login", "ua-reg", "--code", code[1], "--password-file", pw)
	token := strings.TrimSpace(run(ctx, "token", "create", "--dir", dir, "--login", "ua-reg", "--password-file", pw))

	// A database that an older version left open to others is closed on
	// the next start.
	if err := os.Chmod(db, 0o644); err != nil {
		t.Fatal(err)
	}
	sctx, stop := context.WithCancel(ctx)
	urlFile := filepath.Join(root, "url")
	var wg sync.WaitGroup
	wg.Go(func() { run(sctx, "serve", "--dir", dir, "--listen", "127.0.0.1:0", "--url-file", urlFile) })
	defer func() { stop(); wg.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(urlFile); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the server did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	b, _ := os.ReadFile(urlFile)
	url := strings.TrimSpace(string(b))
	run(ctx, "record", "add", "--server", url, "--token", token, "--kind", "held", "--category", "military", "--surname", "Ковальчук", "--health", "поранення")
	export := filepath.Join(root, "held.csv")
	run(ctx, "export", "--server", url, "--token", token, "--kind", "held", "--format", "csv", "--out", export)
	private("serve", dir, db, db+"-wal", db+"-shm", urlFile, export)
	stop()
	wg.Wait()

	key := filepath.Join(root, "ua.key")
	run(ctx, "keygen", "--name", "ua-bureau", "--out", key)
	list := filepath.Join(root, "list.csv")
	if err := os.WriteFile(list, []byte("id,surname,given_names,birth_date\n1,Ковальчук,Олександр,1998-05\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pairs := filepath.Join(root, "pairs.csv")
	run(ctx, "link", list, list, "--out", pairs)
	private("keygen and link", key, pairs)
}
