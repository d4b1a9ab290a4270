package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/audit"
)

// TestServeWitnessCosigns: a bureau runs its witness with 'handover cosign
// --listen', the mediator runs 'handover serve --witness ua-bureau=URL', and
// the log's checkpoints come back cosigned without anyone running a
// command; the served checkpoint opens with the trusted keys file.
func TestServeWitnessCosigns(t *testing.T) {
	d := newLogDeployment(t, "sqlite", nil, nil, 3)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	pub, err := os.ReadFile(filepath.Join(d.dir, logPubFile))
	if err != nil {
		t.Fatal(err)
	}
	logOnly := filepath.Join(t.TempDir(), "log.pub")
	if err := os.WriteFile(logOnly, pub, 0o600); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(t.TempDir(), "ua-bureau.state")
	wout := &syncBuffer{}
	wdone := make(chan int, 1)
	go func() {
		m := &Main{Stdin: strings.NewReader(""), Stdout: wout, Stderr: &syncBuffer{}, Getenv: func(string) string { return "" }}
		wdone <- m.Run(ctx, []string{"cosign", "--listen", "127.0.0.1:0", "--key", d.witness["ua-bureau"], "--keys", logOnly, "--state", state})
	}()
	addr := regexp.MustCompile(`listening on (http://\S+)`)
	var wurl string
	for deadline := time.Now().Add(20 * time.Second); wurl == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := addr.FindStringSubmatch(wout.String()); m != nil {
			wurl = m[1]
		}
	}
	if wurl == "" {
		t.Fatalf("cosign --listen printed no address: %q", wout.String())
	}

	urlFile := filepath.Join(t.TempDir(), "url")
	sdone := make(chan int, 1)
	serr := &syncBuffer{}
	go func() {
		m := &Main{Stdin: strings.NewReader(""), Stdout: &syncBuffer{}, Stderr: serr, Getenv: func(string) string { return "" }}
		sdone <- m.Run(ctx, []string{"serve", "--dir", d.dir, "--db", d.dsn, "--listen", "127.0.0.1:0", "--url-file", urlFile,
			"--checkpoint-every", "1s", "--witness", "ua-bureau=" + wurl})
	}()
	defer func() {
		stop()
		if code := <-sdone; code != 0 {
			t.Errorf("serve exited with %d: %s", code, serr.String())
		}
		if code := <-wdone; code != 0 {
			t.Errorf("cosign --listen exited with %d", code)
		}
	}()
	d.addRecords(t, 4, "Свідок")
	want, err := d.db.LogSize(ctx) // the records' leaves; the log's own leaves follow
	if err != nil {
		t.Fatal(err)
	}
	keys, err := os.ReadFile(d.keys)
	if err != nil {
		t.Fatal(err)
	}
	var last audit.SignedCheckpoint
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		cp, err := d.db.LatestCheckpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		k, err := audit.ParseKeys(keys, lsOrigin)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := k.OpenCheckpoint(cp)
		if err != nil {
			t.Fatal(err)
		}
		last = sc
		if sc.CosignedBy("ua-bureau") && sc.Size >= want {
			break
		}
	}
	if !last.CosignedBy("ua-bureau") || last.Size < want {
		t.Fatalf("after a minute the latest checkpoint (size %d, the records end at %d) is cosigned by %v", last.Size, want, last.Cosigners)
	}
	if b, err := os.ReadFile(state); err != nil || !strings.Contains(string(b), lsOrigin) {
		t.Errorf("the witness's state file: %v", err)
	}

	// The operator sees the witness and what it cosigned.
	var url string
	if b, err := os.ReadFile(urlFile); err == nil {
		url = strings.TrimSpace(string(b))
	}
	u, err := d.db.UserByLogin(ctx, "ua-reg")
	if err != nil {
		t.Fatal(err)
	}
	u.MFA = true
	tok, _, err := d.db.CreateToken(ctx, u.Scope(), "test", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	out := mustRunLS(t, "log", "witnesses", "--server", url, "--token", tok)
	if !regexp.MustCompile(`(?m)^ua-bureau\s+` + regexp.QuoteMeta(wurl) + `\s+\d+\s+\S+\s+\S+\s+ok$`).MatchString(out) {
		t.Errorf("log witnesses:\n%s", out)
	}

	// A bad --witness is a usage error.
	if code, _, errOut := runLS(t, "serve", "--dir", d.dir, "--witness", "ua-bureau"); code != 2 || !strings.Contains(errOut, "NAME=URL") {
		t.Errorf("serve --witness ua-bureau: exit %d, %s", code, errOut)
	}
}
