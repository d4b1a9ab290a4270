package sqlstore

import (
	"context"

	"github.com/handover-project/handover/internal/crossing"
)

// RawStageEvents returns a stage's events as stored, for tests that check
// what the store recorded.
func (db *DB) RawStageEvents(ctx context.Context, exID string, n int) ([]crossing.Event, error) {
	events, _, err := stageEvents(ctx, db, exID, n, 0)
	return events, err
}
