package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// login posts a login from addr to the API (api) or the login page and
// returns the status.
func (e *env) loginFrom(api bool, addr, login, password string) int {
	var req *http.Request
	if api {
		req = httptest.NewRequest("POST", "/api/v1/auth/login", strings.NewReader(`{"login":"`+login+`","password":"`+password+`"}`))
		req.Header.Set("Content-Type", "application/json")
	} else {
		req = httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{"login": {login}, "password": {password}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.RemoteAddr = addr + ":40000"
	w := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(w, req)
	return w.Code
}

// TestLoginGuessesInParallel: issue 12 sent 30 guesses at once and all 30
// were checked (401, none 429), because the limiter counted a failure only
// after the password check. Now exactly the limit is checked, on the API
// and on the login page alike; the account's owner, from another address,
// still logs in.
func TestLoginGuessesInParallel(t *testing.T) {
	for _, api := range []bool{true, false} {
		name := map[bool]string{true: "api", false: "page"}[api]
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, sqltest.Open(t, "sqlite"))
			var mu sync.Mutex
			got := map[int]int{}
			var wg sync.WaitGroup
			start := make(chan struct{})
			for range 30 {
				wg.Go(func() {
					<-start
					st := e.loginFrom(api, "198.51.100.7", "ua-reg", "not the password")
					mu.Lock()
					got[st]++
					mu.Unlock()
				})
			}
			close(start)
			wg.Wait()
			if got[401] != 5 || got[429] != 25 || len(got) != 2 {
				t.Fatalf("30 parallel guesses: %v, want 5×401 and 25×429", got)
			}
			if st := e.loginFrom(api, "198.51.100.7", "ua-reg", "a long enough password"); st != 429 {
				t.Errorf("the right password from the guessing address: %d, want 429", st)
			}
			want := 200
			if !api {
				want = 303
			}
			if st := e.loginFrom(api, "203.0.113.10", "ua-reg", "a long enough password"); st != want {
				t.Errorf("the owner from another address: %d, want %d: the guesser locked the owner out", st, want)
			}
		})
	}
}
