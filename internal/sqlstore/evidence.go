package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/errs"
	"github.com/handover-project/handover/internal/exchange"
)

// Evidence returns the current eligibility evidence of record recordID
// (the latest [DB.SetEvidence]; the zero Evidence when none was recorded),
// so that a form can start from it: SetEvidence replaces the whole
// evidence. Only the record's own party reads it — its registrar, who
// writes it (access.EvidenceWrite), and its other users who may read the
// record; another party, and the mediator, get Forbidden. A record the
// scope may not read at all is NotFound, as in [DB.Record].
func (db *DB) Evidence(ctx context.Context, s access.Scope, recordID string) (exchange.Evidence, error) {
	const op = "sqlstore.Evidence"
	rec, err := db.Record(ctx, s, recordID)
	if err != nil {
		return exchange.Evidence{}, errs.E(op, err)
	}
	if err := access.Decide(s, access.EvidenceWrite, access.Resource{Party: rec.Party}); err != nil && s.Party != rec.Party {
		return exchange.Evidence{}, errs.E(op, err)
	}
	var ev exchange.Evidence
	var body string
	err = db.queryRow(ctx, `SELECT body FROM evidence WHERE record_id = ? ORDER BY seq DESC LIMIT 1`, recordID).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return ev, nil
	}
	if err != nil {
		return ev, errs.E(op, errs.Internal, err)
	}
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		return ev, errs.E(op, errs.Internal, err)
	}
	return ev, nil
}
