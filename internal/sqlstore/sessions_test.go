package sqlstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// clock is a settable clock for session timeouts.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestSessions(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sc := fixture(t, db)
		clk := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
		db.Now = clk.now
		lim := sqlstore.SessionLimits{Idle: 30 * time.Minute, Absolute: 8 * time.Hour}
		reg := sc["ua-reg"]

		secret, err := db.CreateSession(ctx, reg.UserID, false)
		if err != nil {
			t.Fatal(err)
		}
		u, ss, err := db.SessionUser(ctx, secret, lim)
		if err != nil || u.Login != "ua-reg" || ss.MFA || ss.Lang != "" {
			t.Fatalf("SessionUser = %+v %+v %v", u, ss, err)
		}
		if _, _, err := db.SessionUser(ctx, secret+"x", lim); !errs.Is(errs.Unauthenticated, err) {
			t.Fatalf("unknown secret: got %v, want Unauthenticated", err)
		}

		// Used every 20 minutes, the session outlives the idle timeout...
		for range 3 {
			clk.add(20 * time.Minute)
			if _, _, err := db.SessionUser(ctx, secret, lim); err != nil {
				t.Fatalf("active session: %v", err)
			}
		}
		// ...but not 31 idle minutes.
		clk.add(31 * time.Minute)
		if _, _, err := db.SessionUser(ctx, secret, lim); !errs.Is(errs.Unauthenticated, err) {
			t.Fatalf("idle session: got %v, want Unauthenticated", err)
		}

		// Renewal: a new id, the old one ends, the login time stays.
		secret, _ = db.CreateSession(ctx, reg.UserID, false)
		renewed, err := db.RenewSession(ctx, secret, true)
		if err != nil || renewed == secret {
			t.Fatalf("RenewSession = %q, %v", renewed, err)
		}
		if _, _, err := db.SessionUser(ctx, secret, lim); !errs.Is(errs.Unauthenticated, err) {
			t.Fatalf("old id after renewal: got %v, want Unauthenticated", err)
		}
		_, ss, err = db.SessionUser(ctx, renewed, lim)
		if err != nil || !ss.MFA {
			t.Fatalf("renewed session: %+v %v", ss, err)
		}
		// Absolute timeout counts from the login, whatever the activity.
		for range 16 {
			clk.add(29 * time.Minute)
			db.SessionUser(ctx, renewed, lim)
		}
		clk.add(29 * time.Minute)
		if _, _, err := db.SessionUser(ctx, renewed, lim); !errs.Is(errs.Unauthenticated, err) {
			t.Fatalf("session past the absolute limit: got %v, want Unauthenticated", err)
		}

		// Logout and logout everywhere.
		a, _ := db.CreateSession(ctx, reg.UserID, false)
		b, _ := db.CreateSession(ctx, reg.UserID, false)
		other, _ := db.CreateSession(ctx, sc["ru-reg"].UserID, false)
		if err := db.EndSession(ctx, a); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.SessionUser(ctx, a, lim); !errs.Is(errs.Unauthenticated, err) {
			t.Fatalf("ended session: got %v", err)
		}
		// b and the two that timed out without being ended.
		if n, err := db.EndUserSessions(ctx, reg.UserID); err != nil || n != 3 {
			t.Fatalf("EndUserSessions = %d, %v; want 3", n, err)
		}
		if _, _, err := db.SessionUser(ctx, b, lim); !errs.Is(errs.Unauthenticated, err) {
			t.Fatalf("session after logout everywhere: got %v", err)
		}
		if _, _, err := db.SessionUser(ctx, other, lim); err != nil {
			t.Fatalf("another user's session ended too: %v", err)
		}

		// A disabled user's sessions stop at once.
		if err := db.DisableUser(ctx, "ru-reg"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.SessionUser(ctx, other, lim); !errs.Is(errs.Unauthenticated, err) {
			t.Fatalf("disabled user's session: got %v", err)
		}
		if _, err := db.CreateSession(ctx, sc["ru-reg"].UserID, false); !errs.Is(errs.Unauthenticated, err) {
			t.Fatalf("session for a disabled user: got %v", err)
		}
	})
}

func TestUserPrefs(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sc := fixture(t, db)
		lim := sqlstore.SessionLimits{Idle: time.Hour, Absolute: time.Hour}
		appr := sc["ua-appr"]
		secret, _ := db.CreateSession(ctx, appr.UserID, false)

		if err := db.SetUserLang(ctx, appr.UserID, "de"); !errs.Is(errs.Invalid, err) {
			t.Fatalf("SetUserLang(de): got %v, want Invalid", err)
		}
		for _, lang := range []string{"ru", "uk"} {
			if err := db.SetUserLang(ctx, appr.UserID, lang); err != nil {
				t.Fatal(err)
			}
		}
		if _, ss, _ := db.SessionUser(ctx, secret, lim); ss.Lang != "uk" || ss.TOTPEnrolled {
			t.Fatalf("session = %+v, want lang uk, not enrolled", ss)
		}

		counts, err := db.RegisterCounts(ctx, sc["ua-reg"])
		if err != nil || len(counts) != 0 {
			t.Fatalf("RegisterCounts on empty registers = %v, %v", counts, err)
		}
		if got, _ := db.RegisterCounts(ctx, sc["admin"]); got != nil {
			t.Fatalf("RegisterCounts for the administrator = %v, want none", got)
		}
	})
}
