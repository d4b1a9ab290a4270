package sqlstore_test

import (
	"context"
	"sync"
	"testing"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/internal/sqlstore/sqltest"
)

// TestOnCommit: the commit hooks hear of each committed write's leaves by
// type, and of nothing a refused write did; LogState says the log's size
// and its newest checkpoint.
func TestOnCommit(t *testing.T) {
	sqltest.EachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		var mu sync.Mutex
		heard := map[audit.LeafType]int{}
		calls := 0
		db.OnCommit(func(l map[audit.LeafType]int) {
			mu.Lock()
			defer mu.Unlock()
			calls++
			for k, v := range l {
				heard[k] += v
			}
		})
		if _, err := db.CreateParty(ctx, "UA", "Ukraine"); err != nil {
			t.Fatal(err)
		}
		st, err := db.LogState(ctx)
		if err != nil || st.CheckpointSize != -1 || !st.CheckpointAt.IsZero() {
			t.Fatalf("LogState of a log without checkpoints: %+v, %v", st, err)
		}
		cheap := access.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
		nu := sqlstore.NewUser{Login: "ua-reg", Role: access.PartyRegistrar, Party: "UA", Password: "a long enough password", Argon2: cheap}
		if _, err := db.CreateUser(ctx, nu); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		got, n := heard[audit.LeafType("user.created")], calls
		mu.Unlock()
		if got != 1 || n != 1 {
			t.Fatalf("after one account made: heard %v in %d calls, want one user.created leaf", heard, n)
		}
		if _, err := db.CreateUser(ctx, nu); !errs.Is(errs.Conflict, err) {
			t.Fatalf("the same login again: %v, want a conflict", err)
		}
		mu.Lock()
		n = calls
		mu.Unlock()
		if n != 1 {
			t.Errorf("a refused write was heard: %d calls", n)
		}
		size, _ := db.LogSize(ctx)
		if st, err = db.LogState(ctx); err != nil || st.Size != size || st.Size == 0 {
			t.Errorf("LogState %+v, %v; the log has %d leaves", st, err, size)
		}
	})
}
