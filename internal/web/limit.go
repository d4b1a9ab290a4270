package web

import (
	"sync"
	"time"
)

// loginLimiter counts failed logins per account and per client address in a
// sliding window, so that passwords cannot be guessed at speed from one
// place or against one account from many.
type loginLimiter struct {
	mu        sync.Mutex
	now       func() time.Time
	window    time.Duration
	perLogin  int
	perAddr   int
	failures  map[string][]time.Time
	lastSweep time.Time
}

func newLoginLimiter(now func() time.Time) *loginLimiter {
	return &loginLimiter{now: now, window: 15 * time.Minute, perLogin: 5, perAddr: 20, failures: map[string][]time.Time{}}
}

// allow reports whether another attempt for login from addr may be made,
// and if not, how long until one may.
func (l *loginLimiter) allow(login, addr string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sweep(now)
	for _, k := range []struct {
		key   string
		limit int
	}{{"l:" + login, l.perLogin}, {"a:" + addr, l.perAddr}} {
		fs := l.recent(k.key, now)
		if len(fs) >= k.limit {
			return false, fs[0].Add(l.window).Sub(now)
		}
	}
	return true, 0
}

// fail records a failed attempt.
func (l *loginLimiter) fail(login, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.failures["l:"+login] = append(l.recent("l:"+login, now), now)
	l.failures["a:"+addr] = append(l.recent("a:"+addr, now), now)
}

// succeed forgets the account's failures (not the address's).
func (l *loginLimiter) succeed(login string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, "l:"+login)
}

func (l *loginLimiter) recent(key string, now time.Time) []time.Time {
	fs := l.failures[key]
	i := 0
	for i < len(fs) && now.Sub(fs[i]) >= l.window {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(l.failures, key)
		return nil
	}
	l.failures[key] = fs
	return fs
}

// sweep drops stale keys now and then so the map cannot grow without bound.
func (l *loginLimiter) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < time.Minute {
		return
	}
	l.lastSweep = now
	for k := range l.failures {
		l.recent(k, now)
	}
}
