package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/sqlstore"
)

// dataDir is an initialised SQLite data directory with party registrars
// and their API tokens.
type dataDir struct {
	dir    string
	tokens map[string]string // login → token
}

// newDataDir runs "handover init" and creates one party_registrar of UA
// per login, each with a token, all through the real binary.
// enrolmentCode finds the code 'user add' prints.
var enrolmentCode = regexp.MustCompile(`enrolment code for \S+: (\S+)`)

func newDataDir(t *testing.T, bin string, logins ...string) dataDir {
	t.Helper()
	tmp := t.TempDir()
	d := dataDir{dir: filepath.Join(tmp, "data"), tokens: map[string]string{}}
	pw := filepath.Join(tmp, "password")
	if err := os.WriteFile(pw, []byte("a long enough password\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := run(t, bin, "init", "--dir", d.dir, "--admin", "admin")
	if !strings.Contains(out, "party UA") {
		t.Fatalf("init printed %q, want the parties it created", out)
	}
	for _, login := range logins {
		// The administrator makes the account; its person enrols with
		// the code and mints their own token.
		out := run(t, bin, "user", "add", "--dir", d.dir, "--login", login, "--role", "party_registrar", "--party", "UA")
		code := enrolmentCode.FindStringSubmatch(out)
		if code == nil {
			t.Fatalf("user add printed %q, want an enrolment code", out)
		}
		run(t, bin, "enrol", "--dir", d.dir, "--login", login, "--code", code[1], "--password-file", pw)
		tok := strings.TrimSpace(run(t, bin, "token", "create", "--dir", d.dir, "--login", login, "--password-file", pw, "--ttl", "1h"))
		if tok == "" || strings.ContainsAny(tok, " \n") {
			t.Fatalf("token create printed %q, want one token", tok)
		}
		d.tokens[login] = tok
	}
	return d
}

// serve starts "handover serve" on the directory at a free port, waits for
// its URL file and /readyz, and returns the process and an API client.
func (d dataDir) serve(t *testing.T, bin string) (*process, *httpAPI) {
	t.Helper()
	urlFile := filepath.Join(d.dir, "url")
	os.Remove(urlFile)
	p := start(t, bin, "serve", "--dir", d.dir, "--listen", "127.0.0.1:0", "--url-file", urlFile)
	var url string
	waitFor(t, 30*time.Second, "the server's URL file", func() bool {
		if p.exited() {
			t.Fatalf("serve exited: %v\n%s", p.err, p.out)
		}
		b, err := os.ReadFile(urlFile)
		url = strings.TrimSpace(string(b))
		return err == nil && url != ""
	})
	a := newAPI(t, url)
	if st, b := a.must("", "GET", "/readyz", nil); st != http.StatusOK {
		t.Fatalf("readyz after start: %d %s\n%s", st, b, p.out)
	}
	return p, a
}

// integrityCheck opens the (stopped) server's database with the store and
// runs PRAGMA integrity_check.
func (d dataDir) integrityCheck(t *testing.T) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(d.dir, keyFile))
	if err != nil {
		t.Fatal(err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("data key: %v", err)
	}
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, sqlstore.Config{DSN: filepath.Join(d.dir, "handover.db"), SealKey: key})
	if err != nil {
		t.Fatalf("open after crash: %v", err)
	}
	defer db.Close()
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Fatalf("after crash: %v", err)
	}
}

// TestCrash writes records through the API from several goroutines, kills
// the server with SIGKILL at a random moment, restarts it, and checks that
// every write that was answered 2xx survived and the database is sound.
// Five rounds, each killed at a different moment.
func TestCrash(t *testing.T) {
	bin := handoverBinary(t)
	d := newDataDir(t, bin, "ua-reg")
	token := d.tokens["ua-reg"]
	seed := rand.Uint64()
	rng := rand.New(rand.NewPCG(seed, 0))
	t.Logf("seed %d", seed)

	var mu sync.Mutex
	acked := map[string]string{} // record id → notes written
	const rounds, writers = 5, 4
	for round := range rounds {
		p, a := d.serve(t, bin)
		verifyAcked(t, a, token, acked)

		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		var answered, failed int
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ctx.Err() == nil; i++ {
					ids, notes, ok := writeSome(ctx, a, token, round, w, i)
					mu.Lock()
					if ok {
						for j, id := range ids {
							acked[id] = notes[j]
						}
						answered++
					} else {
						failed++
					}
					mu.Unlock()
					if !ok {
						// The server is gone or refused: wait for the
						// round to end rather than spin.
						select {
						case <-ctx.Done():
						case <-time.After(5 * time.Millisecond):
						}
					}
				}
			}()
		}
		// Kill at a random moment 50–400 ms in, but not before the first
		// write is answered: on a loaded machine that can take longer, and
		// a round without an answered write would test nothing.
		after := time.Duration(50+rng.IntN(351)) * time.Millisecond
		time.Sleep(after)
		waitFor(t, 30*time.Second, "a first answered write", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return answered > 0
		})
		if err := p.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		p.wait(10 * time.Second)
		cancel()
		wg.Wait()
		mu.Lock()
		t.Logf("round %d: killed at least %v in; %d writes answered 2xx, %d failed; %d records acknowledged so far", round+1, after, answered, failed, len(acked))
		mu.Unlock()
		d.integrityCheck(t)
	}

	p, a := d.serve(t, bin)
	verifyAcked(t, a, token, acked)
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	p.wait(10 * time.Second)
	d.integrityCheck(t)
}

// writeSome makes one write: a single record, or (every fourth call) a
// batch of 10. It returns the ids and notes of the records stored and
// whether the server answered 2xx.
func writeSome(ctx context.Context, a *httpAPI, token string, round, writer, i int) ([]string, []string, bool) {
	rec := func(j int) map[string]any {
		return map[string]any{"kind": "held", "category": "military", "surname": "Краш", "given_names": "Тест",
			"birth_date": "1995", "notes": fmt.Sprintf("round %d writer %d write %d record %d", round, writer, i, j)}
	}
	if i%4 == 3 {
		var batch []any
		for j := range 10 {
			batch = append(batch, rec(j))
		}
		st, b, err := a.do(ctx, token, "POST", "/api/v1/records/batch", map[string]any{"records": batch})
		if err != nil || st/100 != 2 {
			return nil, nil, false
		}
		var out struct{ Records []struct{ ID, Notes string } }
		if json.Unmarshal(b, &out) != nil {
			return nil, nil, false
		}
		var ids, notes []string
		for _, r := range out.Records {
			ids = append(ids, r.ID)
			notes = append(notes, r.Notes)
		}
		return ids, notes, true
	}
	st, b, err := a.do(ctx, token, "POST", "/api/v1/records", rec(0))
	if err != nil || st/100 != 2 {
		return nil, nil, false
	}
	var out struct{ ID, Notes string }
	if json.Unmarshal(b, &out) != nil || out.ID == "" {
		return nil, nil, false
	}
	return []string{out.ID}, []string{out.Notes}, true
}

// verifyAcked reads every acknowledged record by id.
func verifyAcked(t *testing.T, a *httpAPI, token string, acked map[string]string) {
	t.Helper()
	missing := 0
	for id, notes := range acked {
		st, b := a.must(token, "GET", "/api/v1/records/"+id, nil)
		var r struct{ ID, Notes string }
		if st != http.StatusOK || json.Unmarshal(b, &r) != nil || r.ID != id || r.Notes != notes {
			missing++
			if missing <= 5 {
				t.Errorf("acknowledged record %s: got %d %s, want 200 with notes %q", id, st, b, notes)
			}
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged records lost", missing, len(acked))
	}
}

// TestConcurrentCorrectionAPI has two users correct the same version of a
// record at once through the real server: exactly one wins (200), the other
// gets 409 Conflict, and no update is lost.
func TestConcurrentCorrectionAPI(t *testing.T) {
	bin := handoverBinary(t)
	d := newDataDir(t, bin, "ua-reg", "ua-reg2")
	_, a := d.serve(t, bin)
	logins := []string{"ua-reg", "ua-reg2"}
	for i := range 5 {
		rec := map[string]any{"kind": "held", "category": "military", "surname": "Гонка", "birth_date": "1990"}
		st, b := a.must(d.tokens["ua-reg"], "POST", "/api/v1/records", rec)
		var created struct{ ID string }
		if st != http.StatusCreated || json.Unmarshal(b, &created) != nil {
			t.Fatalf("create: %d %s", st, b)
		}
		var wg sync.WaitGroup
		status := make([]int, 2)
		bodies := make([][]byte, 2)
		startGun := make(chan struct{})
		for u := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				body := map[string]any{"kind": "held", "category": "military", "surname": "Гонка", "birth_date": "1990",
					"notes": "by " + logins[u], "base_version": 1, "reason": "race"}
				<-startGun
				var err error
				status[u], bodies[u], err = a.do(context.Background(), d.tokens[logins[u]], "PUT", "/api/v1/records/"+created.ID, body)
				if err != nil {
					t.Error(err)
				}
			}()
		}
		close(startGun)
		wg.Wait()
		won := -1
		switch {
		case status[0] == 200 && status[1] == 409:
			won = 0
		case status[0] == 409 && status[1] == 200:
			won = 1
		default:
			t.Fatalf("record %d: statuses %v (%s | %s), want one 200 and one 409", i, status, bodies[0], bodies[1])
		}
		if !strings.Contains(string(bodies[1-won]), `"kind":"conflict"`) {
			t.Errorf("loser's answer %s, want a conflict error", bodies[1-won])
		}
		st, b = a.must(d.tokens["ua-reg"], "GET", "/api/v1/records/"+created.ID+"/history", nil)
		var h struct {
			Versions []struct {
				Version int
				Notes   string
			}
		}
		if st != 200 || json.Unmarshal(b, &h) != nil {
			t.Fatalf("history: %d %s", st, b)
		}
		if len(h.Versions) != 2 || h.Versions[1].Version != 2 || h.Versions[1].Notes != "by "+logins[won] {
			t.Errorf("history %+v, want version 2 by %s", h.Versions, logins[won])
		}
	}
}
