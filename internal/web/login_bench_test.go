package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
	"github.com/handover-project/handover/internal/web"
)

// BenchmarkLoginAPI is the login path through HTTP: POST
// /api/v1/auth/login with the right password (cheap argon2 parameters, so
// that the limiter's reservation and settling, the account's read and the
// token's minting are what is measured, not the hash), one login at a
// time, on SQLite and, with HANDOVER_TEST_POSTGRES, PostgreSQL.
//
//	go test -run '^$' -bench LoginAPI -benchtime 300x ./internal/web/
func BenchmarkLoginAPI(b *testing.B) {
	for _, d := range sqltest.Dialects(b) {
		b.Run(d, func(b *testing.B) {
			db := sqltest.Open(b, d)
			ctx := context.Background()
			if _, err := db.CreateUser(ctx, sqlstore.NewUser{Login: "aud", Role: access.Auditor, Password: "a long enough password", Argon2: cheap}); err != nil {
				b.Fatal(err)
			}
			ts := httptest.NewServer(web.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Config{}).Handler())
			defer ts.Close()
			body, _ := json.Marshal(map[string]string{"login": "aud", "password": "a long enough password"})
			b.ResetTimer()
			for range b.N {
				resp, err := http.Post(ts.URL+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("login: %d", resp.StatusCode)
				}
			}
		})
	}
}
