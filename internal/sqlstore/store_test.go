package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/person"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

var cheap = access.Argon2Params{Memory: 1024, Time: 1, Threads: 1}

// fixture creates two parties and a user per role and returns their scopes.
func fixture(t *testing.T, db *sqlstore.DB) map[string]access.Scope {
	t.Helper()
	ctx := context.Background()
	for _, p := range [][2]string{{"UA", "Ukraine"}, {"RU", "Russian Federation"}} {
		if _, err := db.CreateParty(ctx, p[0], p[1]); err != nil {
			t.Fatal(err)
		}
	}
	scopes := map[string]access.Scope{}
	for _, u := range []struct {
		login, party string
		role         access.Role
	}{
		{"ua-reg", "UA", access.PartyRegistrar}, {"ru-reg", "RU", access.PartyRegistrar},
		{"ua-appr", "UA", access.PartyApprover}, {"op", "", access.MediatorOperator},
		{"admin", "", access.MediatorAdmin}, {"aud", "", access.Auditor}, {"sys", "", access.Sysadmin},
		{"ua-officer", "UA", access.CheckpointOfficer},
	} {
		usr, err := db.CreateUser(ctx, sqlstore.NewUser{Login: u.login, Role: u.role, Party: u.party, Password: "a long enough password", Argon2: cheap})
		if err != nil {
			t.Fatal(err)
		}
		usr.MFA = true // logged in with the second factor
		scopes[u.login] = usr.Scope()
	}
	return scopes
}

func held(surname string) person.Fields {
	return person.Fields{Kind: person.Held, Category: person.Military, Surname: surname, GivenNames: "Олександр",
		Patronymic: "Миколайович", BirthDate: person.Date{Year: 1998, Month: 5, Day: 23}, ServiceNumber: "А-123456"}
}

func TestMigrationFoldersMatch(t *testing.T) {
	names := func(d string) []string {
		n, err := sqlstore.MigrationNames(d)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if a, b := names("sqlite"), names("postgres"); !slices.Equal(a, b) || len(a) == 0 {
		t.Fatalf("sqlite migrations %v, postgres %v: must list the same names", a, b)
	}
}

func TestPartiesAndUsers(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		fixture(t, db)
		if _, err := db.CreateParty(ctx, "UA", "again"); !errs.Is(errs.Conflict, err) {
			t.Errorf("duplicate party: got %v, want conflict", err)
		}
		if _, err := db.CreateParty(ctx, "ukraine", "x"); !errs.Is(errs.Invalid, err) {
			t.Errorf("bad code: got %v, want invalid", err)
		}
		_, err := db.CreateUser(ctx, sqlstore.NewUser{Login: "X", Role: access.PartyRegistrar, Password: "short", Argon2: cheap})
		if !errs.Is(errs.Invalid, err) || len(errs.Fields(err)) != 3 {
			t.Errorf("bad user: got %v, want invalid with 3 fields (login, party, password)", err)
		}
		if _, err := db.CreateUser(ctx, sqlstore.NewUser{Login: "x1", Role: access.PartyRegistrar, Party: "PL", Password: "a long enough password", Argon2: cheap}); !errs.Is(errs.Invalid, err) {
			t.Errorf("unknown party: got %v, want invalid", err)
		}
		if _, err := db.CreateUser(ctx, sqlstore.NewUser{Login: "ua-reg", Role: access.PartyRegistrar, Party: "UA", Password: "a long enough password", Argon2: cheap}); !errs.Is(errs.Conflict, err) {
			t.Errorf("duplicate login: got %v, want conflict", err)
		}
		u, err := db.Authenticate(ctx, "ua-reg", "a long enough password")
		if err != nil || u.Party != "UA" || u.Role != access.PartyRegistrar {
			t.Fatalf("authenticate: %+v %v", u, err)
		}
		for _, c := range [][2]string{{"ua-reg", "wrong password!!"}, {"nobody", "a long enough password"}} {
			if _, err := db.Authenticate(ctx, c[0], c[1]); !errs.Is(errs.Unauthenticated, err) {
				t.Errorf("authenticate %v: got %v, want unauthenticated", c, err)
			}
		}
	})
}

func TestTokens(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sc := fixture(t, db)
		now := time.Date(2025, 5, 23, 10, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		secret, tok, err := db.CreateToken(ctx, sc["ua-reg"], "cli", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, "hov_") || tok.Hint != secret[:8] || tok.Login != "ua-reg" {
			t.Errorf("token %q hint %q login %q", secret, tok.Hint, tok.Login)
		}
		u, err := db.UserByToken(ctx, secret)
		if err != nil || u.Login != "ua-reg" || !u.MFA {
			t.Fatalf("by token: %+v %v", u, err)
		}
		if _, err := db.UserByToken(ctx, secret+"x"); !errs.Is(errs.Unauthenticated, err) {
			t.Errorf("wrong token: got %v", err)
		}
		now = now.Add(time.Hour + time.Second)
		if _, err := db.UserByToken(ctx, secret); !errs.Is(errs.Unauthenticated, err) {
			t.Errorf("expired token: got %v, want unauthenticated", err)
		}
		secret2, tok2, err := db.CreateToken(ctx, sc["ua-reg"], "cli2", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.RevokeToken(ctx, tok2.ID, "ru-reg"); !errs.Is(errs.NotFound, err) {
			t.Errorf("revoking another's token: got %v, want not found", err)
		}
		if err := db.RevokeToken(ctx, tok2.ID, "ua-reg"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UserByToken(ctx, secret2); !errs.Is(errs.Unauthenticated, err) {
			t.Errorf("revoked token: got %v", err)
		}
		secret3, _, _ := db.CreateToken(ctx, sc["ru-reg"], "", time.Hour)
		if err := db.DisableUser(ctx, "ru-reg"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UserByToken(ctx, secret3); !errs.Is(errs.Unauthenticated, err) {
			t.Errorf("disabled user's token: got %v", err)
		}
		if _, _, err := db.CreateToken(ctx, sc["ru-reg"], "", time.Hour); !errs.Is(errs.Invalid, err) {
			t.Errorf("token for a disabled user: got %v, want invalid", err)
		}
		if _, _, err := db.CreateToken(ctx, sc["ua-reg"], "", 400*24*time.Hour); !errs.Is(errs.Invalid, err) {
			t.Errorf("too long a token: got %v", err)
		}
		toks, _ := db.Tokens(ctx, "ua-reg")
		if len(toks) != 2 || toks[1].RevokedAt.IsZero() {
			t.Errorf("tokens: %+v", toks)
		}
	})
}

func TestRecordLifecycle(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sc := fixture(t, db)
		f := held("Ковальчук")
		f.Health = "поранення ноги"
		f.NextOfKin = "Ковальчук Марія, мати, +380 00 000 0000"
		r, err := db.CreateRecord(ctx, sc["ua-reg"], sqlstore.NewRecord{Party: "UA", Fields: f})
		if err != nil {
			t.Fatal(err)
		}
		if r.Version != 1 || r.Provenance.EnteredBy != "ua-reg" || r.Provenance.Source != "entered by hand" || r.ID == "" {
			t.Errorf("created %+v", r)
		}
		got, err := db.Record(ctx, sc["ua-reg"], r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Surname != "Ковальчук" || got.BirthDate.String() != "1998-05-23" || got.Health != f.Health || got.NextOfKin != f.NextOfKin {
			t.Errorf("read back %+v", got.Fields)
		}
		// The mediator reads the record but not its sensitive fields.
		m, err := db.Record(ctx, sc["op"], r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if m.Health != "" || m.NextOfKin != "" {
			t.Errorf("mediator sees sensitive fields: %q %q", m.Health, m.NextOfKin)
		}
		// Correct: a new version, the old stays in the history.
		f2 := got.Fields
		f2.GivenNames = "Олексій"
		c, err := db.CorrectRecord(ctx, sc["ua-reg"], r.ID, 1, f2, "typo in the given name")
		if err != nil {
			t.Fatal(err)
		}
		if c.Version != 2 || c.Provenance.Reason != "typo in the given name" {
			t.Errorf("corrected %+v", c)
		}
		if _, err := db.CorrectRecord(ctx, sc["ua-reg"], r.ID, 1, f2, "stale"); !errs.Is(errs.Conflict, err) {
			t.Errorf("stale correction: got %v, want conflict", err)
		}
		f3 := f2
		f3.Kind = person.Sought
		if _, err := db.CorrectRecord(ctx, sc["ua-reg"], r.ID, 2, f3, ""); !errs.Is(errs.Invalid, err) {
			t.Errorf("moving registers: got %v, want invalid", err)
		}
		f4 := f2
		f4.BirthDate = person.Date{Year: 2999}
		if _, err := db.CorrectRecord(ctx, sc["ua-reg"], r.ID, 2, f4, ""); !errs.Is(errs.Invalid, err) {
			t.Errorf("invalid correction: got %v, want invalid", err)
		}
		h, err := db.RecordHistory(ctx, sc["ua-reg"], r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != 2 || h[0].GivenNames != "Олександр" || h[1].GivenNames != "Олексій" || h[0].Health != f.Health {
			t.Errorf("history %+v", h)
		}
		if _, err := db.Record(ctx, sc["ua-reg"], "rnosuchrecord0000"); !errs.Is(errs.NotFound, err) {
			t.Errorf("missing: got %v", err)
		}
	})
}

func TestConcurrentCorrection(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sc := fixture(t, db)
		r, err := db.CreateRecord(ctx, sc["ua-reg"], sqlstore.NewRecord{Party: "UA", Fields: held("Бондар")})
		if err != nil {
			t.Fatal(err)
		}
		const n = 8
		var wg sync.WaitGroup
		results := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				f := r.Fields
				f.Notes = fmt.Sprintf("writer %d", i)
				_, results[i] = db.CorrectRecord(ctx, sc["ua-reg"], r.ID, 1, f, "")
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range results {
			switch {
			case err == nil:
				ok++
			case errs.Is(errs.Conflict, err):
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d corrections of version 1 succeeded, want exactly 1", ok)
		}
		h, _ := db.RecordHistory(ctx, sc["ua-reg"], r.ID)
		if len(h) != 2 {
			t.Fatalf("history has %d versions, want 2", len(h))
		}
	})
}

// TestScopes proves that a registrar of one party cannot reach the other
// party's sought register by any route: read by id, history, list with or
// without filters, text search, correction, or creation.
func TestScopes(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sc := fixture(t, db)
		ruSought := held("Иванов")
		ruSought.Kind = person.Sought
		ruSought.GivenNames, ruSought.Patronymic, ruSought.ServiceNumber = "Иван", "Иванович", "Ж-654321"
		secret, err := db.CreateRecord(ctx, sc["ru-reg"], sqlstore.NewRecord{Party: "RU", Fields: ruSought})
		if err != nil {
			t.Fatal(err)
		}
		uaHeld, err := db.CreateRecord(ctx, sc["ua-reg"], sqlstore.NewRecord{Party: "UA", Fields: held("Петров")})
		if err != nil {
			t.Fatal(err)
		}
		ua := sc["ua-reg"]
		if _, err := db.Record(ctx, ua, secret.ID); !errs.Is(errs.NotFound, err) {
			t.Errorf("read by id: got %v, want not found", err)
		}
		if _, err := db.RecordHistory(ctx, ua, secret.ID); !errs.Is(errs.NotFound, err) {
			t.Errorf("history: got %v, want not found", err)
		}
		if _, err := db.CorrectRecord(ctx, ua, secret.ID, 1, ruSought, ""); !errs.Is(errs.NotFound, err) {
			t.Errorf("correct: got %v, want not found", err)
		}
		if _, err := db.CreateRecord(ctx, ua, sqlstore.NewRecord{Party: "RU", Fields: ruSought}); !errs.Is(errs.Forbidden, err) {
			t.Errorf("create in RU: got %v, want forbidden", err)
		}
		for _, f := range []sqlstore.RecordFilter{
			{Party: "RU"}, {Party: "RU", Kind: person.Sought}, {Party: "RU", Kind: person.Held},
		} {
			if _, err := db.Records(ctx, ua, f); !errs.Is(errs.Forbidden, err) {
				t.Errorf("list %+v: got %v, want forbidden", f, err)
			}
		}
		for _, f := range []sqlstore.RecordFilter{{}, {Kind: person.Sought}, {Text: "иванов"}, {Text: "Ж-654321"}, {Category: person.Military}, {Cursor: "c0"}} {
			page, err := db.Records(ctx, ua, f)
			if err != nil {
				t.Fatalf("list %+v: %v", f, err)
			}
			for _, r := range page.Records {
				if r.Party != "UA" {
					t.Errorf("list %+v returned %s record %s", f, r.Party, r.ID)
				}
			}
		}
		page, _ := db.Records(ctx, ua, sqlstore.RecordFilter{})
		if len(page.Records) != 1 || page.Records[0].ID != uaHeld.ID {
			t.Errorf("own list: %+v", page.Records)
		}
		for _, who := range []string{"admin", "sys", "ua-officer"} {
			if _, err := db.Records(ctx, sc[who], sqlstore.RecordFilter{}); !errs.Is(errs.Forbidden, err) {
				t.Errorf("%s lists records: got %v, want forbidden", who, err)
			}
			if _, err := db.Record(ctx, sc[who], uaHeld.ID); !errs.Is(errs.NotFound, err) {
				t.Errorf("%s reads a record: got %v, want not found", who, err)
			}
		}
		all, err := db.Records(ctx, sc["op"], sqlstore.RecordFilter{})
		if err != nil || len(all.Records) != 2 {
			t.Errorf("mediator list: %d records, %v", len(all.Records), err)
		}
	})
}

func TestListFiltersAndPaging(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sc := fixture(t, db)
		var nrs []sqlstore.NewRecord
		for i := range 250 {
			f := held(fmt.Sprintf("Шевченко%d", i))
			if i%5 == 0 {
				f.Category = person.Civilian
				f.Surname = "Д'Артаньян"
			}
			if i%2 == 0 {
				f.Kind = person.Sought
			}
			f.LatinNames = []string{fmt.Sprintf("Shevchenko%d", i)}
			nrs = append(nrs, sqlstore.NewRecord{Party: "UA", Fields: f, Source: "test.xlsx", Ref: fmt.Sprintf("row %d", i+2)})
		}
		if _, err := db.CreateRecords(ctx, sc["ua-reg"], nrs); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		cursor := ""
		pages := 0
		for {
			p, err := db.Records(ctx, sc["ua-reg"], sqlstore.RecordFilter{Cursor: cursor, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, r := range p.Records {
				if seen[r.ID] {
					t.Fatalf("record %s on two pages", r.ID)
				}
				seen[r.ID] = true
			}
			if p.Next == "" {
				break
			}
			cursor = p.Next
		}
		if len(seen) != 250 || pages != 3 {
			t.Errorf("paged %d records in %d pages, want 250 in 3", len(seen), pages)
		}
		count := func(f sqlstore.RecordFilter) int {
			f.Limit = 1000
			p, err := db.Records(ctx, sc["ua-reg"], f)
			if err != nil {
				t.Fatal(err)
			}
			return len(p.Records)
		}
		tests := []struct {
			f    sqlstore.RecordFilter
			want int
		}{
			{sqlstore.RecordFilter{Kind: person.Sought}, 125},
			{sqlstore.RecordFilter{Category: person.Civilian}, 50},
			{sqlstore.RecordFilter{Text: "ШЕВЧЕНКО1"}, 89}, // 1, 10–19, 100–199 (111) less the 22 multiples of 5 renamed
			{sqlstore.RecordFilter{Text: "shevchenko24"}, 11},
			{sqlstore.RecordFilter{Text: "д’артаньян"}, 50}, // another apostrophe
			{sqlstore.RecordFilter{Text: "100%"}, 0},
			{sqlstore.RecordFilter{Text: "_"}, 0},
			{sqlstore.RecordFilter{Status: person.StatusPOW}, 0},
		}
		for _, tc := range tests {
			if got := count(tc.f); got != tc.want {
				t.Errorf("filter %+v: got %d, want %d", tc.f, got, tc.want)
			}
		}
		for _, f := range []sqlstore.RecordFilter{{Kind: "x"}, {Cursor: "zzz"}, {Limit: 5000}, {Category: "x"}} {
			if _, err := db.Records(ctx, sc["ua-reg"], f); !errs.Is(errs.Invalid, err) {
				t.Errorf("filter %+v: got %v, want invalid", f, err)
			}
		}
	})
}

func TestBulkAllOrNothing(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sc := fixture(t, db)
		nrs := []sqlstore.NewRecord{{Party: "UA", Fields: held("A")}, {Party: "UA", Fields: held("")}, {Party: "UA", Fields: held("C")}}
		nrs[2].Fields.BirthDate = person.Date{Year: 2100}
		_, err := db.CreateRecords(ctx, sc["ua-reg"], nrs)
		if !errs.Is(errs.Invalid, err) {
			t.Fatalf("got %v, want invalid", err)
		}
		fe := errs.Fields(err)
		if len(fe) != 2 || fe[0].Where != "record 2" || fe[1].Where != "record 3" {
			t.Errorf("field errors %+v", fe)
		}
		p, _ := db.Records(ctx, sc["ua-reg"], sqlstore.RecordFilter{})
		if len(p.Records) != 0 {
			t.Errorf("%d records stored after a refused batch", len(p.Records))
		}
	})
}

func TestSensitiveFieldsSealed(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		sc := fixture(t, db)
		f := held("Коваль")
		f.Health = "туберкульоз легень"
		r, err := db.CreateRecord(ctx, sc["ua-reg"], sqlstore.NewRecord{Party: "UA", Fields: f})
		if err != nil {
			t.Fatal(err)
		}
		body, sealed, err := db.RawVersion(ctx, r.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(body, "туберкульоз") || strings.Contains(string(sealed), "туберкульоз") || len(sealed) == 0 {
			t.Errorf("health stored in clear: body %q sealed %d bytes", body, len(sealed))
		}
	})
}

// TestSQLitePathWithURIChars opens databases whose paths hold characters
// that mean something in a URI: each must be the file named, and no other.
func TestSQLitePathWithURIChars(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a#b.db", "c?d.db", "e f.db", "g%20h.db", "реєстр.db"} {
		t.Run(name, func(t *testing.T) {
			path := dir + "/" + name
			db, err := sqlstore.Open(context.Background(), sqlstore.Config{DSN: path, SealKey: sqltest.Key})
			if err != nil {
				t.Fatal(err)
			}
			db.Close()
			if _, err := os.Stat(path); err != nil {
				t.Fatalf("the database is not at %s: %v", path, err)
			}
		})
	}
	entries, _ := os.ReadDir(dir)
	var dbs []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".db") {
			dbs = append(dbs, e.Name())
		}
	}
	if len(dbs) != 5 {
		t.Errorf("database files %v, want exactly the five named", dbs)
	}
}
