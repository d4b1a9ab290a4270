package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/handover-project/handover/internal/access"
	"github.com/handover-project/handover/internal/audit"
	"github.com/handover-project/handover/internal/errs"
)

// dbHashes implements audit.HashStore over the database outside any
// transaction (proofs, tiles, the audit).
type dbHashes struct {
	ctx context.Context
	db  *DB
}

func (h dbHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	return readHashes(h.ctx, h.db.db, h.db.dialect, indexes)
}

// txHashes implements audit.HashStore inside a transaction.
type txHashes struct {
	ctx context.Context
	tx  *Tx
}

func (h txHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	return readHashes(h.ctx, h.tx.tx, h.tx.d, indexes)
}

// LogSize returns the number of leaves in the log.
func (db *DB) LogSize(ctx context.Context) (int64, error) {
	var n int64
	if err := db.queryRow(ctx, `SELECT COALESCE(MAX(idx) + 1, 0) FROM log_leaves`).Scan(&n); err != nil {
		return 0, errs.E("sqlstore.LogSize", errs.Internal, err)
	}
	return n, nil
}

// LogHead returns the log's size and the root of its tree: what a
// checkpoint made now would state, unsigned. The two are read one after
// the other: call it on a database nobody writes (a backup's snapshot).
func (db *DB) LogHead(ctx context.Context) (int64, tlog.Hash, error) {
	size, err := db.LogSize(ctx)
	if err != nil {
		return 0, tlog.Hash{}, err
	}
	root, err := audit.TreeHash(size, dbHashes{ctx, db})
	if err != nil {
		return 0, tlog.Hash{}, errs.E("sqlstore.LogHead", errs.Internal, err)
	}
	return size, root, nil
}

// LogState is what the server's metrics say of the log: its size, and
// the size and time of its newest checkpoint (CheckpointSize -1 and a
// zero time when there is none yet).
type LogState struct {
	Size           int64
	CheckpointSize int64
	CheckpointAt   time.Time
}

// LogState reads the log's size and its newest checkpoint.
func (db *DB) LogState(ctx context.Context) (LogState, error) {
	const op = "sqlstore.LogState"
	st := LogState{CheckpointSize: -1}
	var err error
	if st.Size, err = db.LogSize(ctx); err != nil {
		return st, err
	}
	err = db.queryRow(ctx, `SELECT size, created_at FROM log_checkpoints ORDER BY size DESC LIMIT 1`).Scan(&st.CheckpointSize, dbTime{&st.CheckpointAt})
	if errors.Is(err, sql.ErrNoRows) {
		return LogState{Size: st.Size, CheckpointSize: -1}, nil
	}
	if err != nil {
		return st, errs.E(op, errs.Internal, err)
	}
	return st, nil
}

// Leaf returns the bytes of leaf index.
func (db *DB) Leaf(ctx context.Context, index int64) ([]byte, error) {
	var data []byte
	err := db.queryRow(ctx, `SELECT data FROM log_leaves WHERE idx = ?`, index).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E("sqlstore.Leaf", errs.NotFound, fmt.Sprintf("no leaf %d", index), errs.Coded{Code: "no_leaf", Args: []string{fmt.Sprint(index)}})
	}
	if err != nil {
		return nil, errs.E("sqlstore.Leaf", errs.Internal, err)
	}
	return data, nil
}

// Leaves returns leaves [start, end).
func (db *DB) Leaves(ctx context.Context, start, end int64) ([][]byte, error) {
	rows, err := db.query(ctx, `SELECT idx, data FROM log_leaves WHERE idx >= ? AND idx < ? ORDER BY idx`, start, end)
	if err != nil {
		return nil, errs.E("sqlstore.Leaves", errs.Internal, err)
	}
	var out [][]byte
	next := start
	err = eachRow(rows, func(rows *sql.Rows) error {
		var idx int64
		var data []byte
		if err := rows.Scan(&idx, &data); err != nil {
			return errs.E("sqlstore.Leaves", errs.Internal, err)
		}
		if idx != next {
			// A gap is damage to the log, not a server fault: say what is
			// missing so a remote auditor can report it.
			return errs.E("sqlstore.Leaves", errs.Conflict, fmt.Sprintf("the log is damaged: leaf %d is missing", next))
		}
		out = append(out, data)
		next++
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Signer signs checkpoints: the log's origin and its key.
type Signer struct {
	Origin string
	signer note.Signer
}

// NewSigner returns the checkpoint signer for the server's private key
// (made by audit.GenerateKey; its name is the log's origin).
func NewSigner(skey string) (*Signer, error) {
	s, err := audit.NewLogSigner(skey)
	if err != nil {
		return nil, errs.E("sqlstore.NewSigner", errs.Invalid, "the log key is not a valid signing key", err)
	}
	return &Signer{Origin: s.Name(), signer: s}, nil
}

// Checkpoint makes and stores a signed checkpoint of the log as it is now,
// if the schedule says one is due or force is set, and returns the latest
// checkpoint (with cosignatures) either way. A log that has not grown since
// the last checkpoint gets no new one.
func (db *DB) Checkpoint(ctx context.Context, s *Signer, sched audit.CheckpointSchedule, force bool) ([]byte, error) {
	const op = "sqlstore.Checkpoint"
	err := db.write(ctx, func(tx *Tx) error {
		_, err := tx.checkpoint(ctx, s, sched, force)
		return err
	})
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	return db.LatestCheckpoint(ctx)
}

// checkpoint makes and stores in the transaction a signed checkpoint of
// the log as it is, if one is due (see [DB.Checkpoint]), and returns what
// the latest checkpoint states, new or not; a log without any is an error.
func (tx *Tx) checkpoint(ctx context.Context, s *Signer, sched audit.CheckpointSchedule, force bool) (audit.Checkpoint, error) {
	if err := tx.newCheckpoint(ctx, s, sched, force); err != nil {
		return audit.Checkpoint{}, err
	}
	var note []byte
	if err := tx.queryRow(ctx, `SELECT note FROM log_checkpoints ORDER BY size DESC LIMIT 1`).Scan(&note); err != nil {
		return audit.Checkpoint{}, fmt.Errorf("read the latest checkpoint: %w", err)
	}
	return audit.PeekCheckpoint(note)
}

func (tx *Tx) newCheckpoint(ctx context.Context, s *Signer, sched audit.CheckpointSchedule, force bool) error {
	var size int64
	if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(idx) + 1, 0) FROM log_leaves`).Scan(&size); err != nil {
		return err
	}
	var lastSize int64 = -1
	var lastAt time.Time
	err := tx.queryRow(ctx, `SELECT size, created_at FROM log_checkpoints ORDER BY size DESC LIMIT 1`).Scan(&lastSize, dbTime{&lastAt})
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	switch {
	case size == 0, size == lastSize:
		return nil // nothing new to state
	case lastSize >= 0 && !force && !sched.Due(lastSize, lastAt, size, tx.now):
		return nil
	}
	if lastSize >= 0 {
		grown, err := tx.grownBeyondLog(ctx, lastSize, size)
		if err != nil || !grown {
			return err
		}
	}
	c := audit.Checkpoint{Origin: s.Origin, Size: size}
	if c.Root, err = audit.TreeHash(size, txHashes{ctx, tx}); err != nil {
		return fmt.Errorf("tree hash at %d: %w", size, err)
	}
	msg, err := audit.SignCheckpoint(c, s.signer)
	if err != nil {
		return err
	}
	if _, err = tx.exec(ctx, `INSERT INTO log_checkpoints (size, note, created_at) VALUES (?, ?, ?)`, size, msg, fmtTime(tx.now)); err != nil {
		return err
	}
	// The log records that the checkpoint was made, so that deleting
	// it from the table is seen by the audit (docs/design/log.md §10).
	app, err := tx.appender(ctx)
	if err != nil {
		return err
	}
	if _, err := app.add(audit.Leaf{Type: audit.LogCheckpoint, Actor: "system", Time: tx.now, Subject: audit.CheckpointSubject(size),
		Commitment: audit.CommitCheckpoint(c)}); err != nil {
		return err
	}
	return app.flush(ctx)
}

// grownBeyondLog reports whether leaves [from, size) hold anything but the
// log's own leaves about checkpoints and cosignatures: a log that grew by
// those alone needs no new checkpoint, or an idle log would make one on
// every tick, each recorded by a leaf that calls for the next.
func (tx *Tx) grownBeyondLog(ctx context.Context, from, size int64) (bool, error) {
	if size-from > 64 {
		return true, nil // surely something else among them
	}
	rows, err := tx.query(ctx, `SELECT data FROM log_leaves WHERE idx >= ? AND idx < ?`, from, size)
	if err != nil {
		return false, err
	}
	beyond := false
	err = eachRow(rows, func(rows *sql.Rows) error {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return err
		}
		l, err := audit.DecodeLeaf(data)
		if err != nil || (l.Type != audit.LogCheckpoint && l.Type != audit.LogCosigned) {
			beyond = true
			return errStop
		}
		return nil
	})
	return beyond, err
}

// LatestCheckpoint returns the largest stored checkpoint with its
// cosignatures appended.
func (db *DB) LatestCheckpoint(ctx context.Context) ([]byte, error) {
	var size int64
	if err := db.queryRow(ctx, `SELECT COALESCE(MAX(size), -1) FROM log_checkpoints`).Scan(&size); err != nil {
		return nil, errs.E("sqlstore.LatestCheckpoint", errs.Internal, err)
	}
	if size < 0 {
		return nil, errs.E("sqlstore.LatestCheckpoint", errs.NotFound, "the log has no checkpoint yet", errs.Coded{Code: "no_checkpoint_yet"})
	}
	return db.CheckpointAt(ctx, size)
}

// CheckpointAt returns the stored checkpoint of a size, with cosignatures.
func (db *DB) CheckpointAt(ctx context.Context, size int64) ([]byte, error) {
	const op = "sqlstore.CheckpointAt"
	var msg []byte
	err := db.queryRow(ctx, `SELECT note FROM log_checkpoints WHERE size = ?`, size).Scan(&msg)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.E(op, errs.NotFound, fmt.Sprintf("no checkpoint of size %d", size), errs.Coded{Code: "no_checkpoint", Args: []string{fmt.Sprint(size)}})
	}
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	rows, err := db.query(ctx, `SELECT line FROM log_cosignatures WHERE size = ? ORDER BY key_name`, size)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	lines, err := collect(rows, scanString)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	if len(lines) == 0 {
		return msg, nil
	}
	out, err := audit.AddCosignatures(msg, lines...)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	return out, nil
}

// CheckpointSizes lists the sizes of the stored checkpoints, smallest first.
func (db *DB) CheckpointSizes(ctx context.Context) ([]int64, error) {
	rows, err := db.query(ctx, `SELECT size FROM log_checkpoints ORDER BY size`)
	if err != nil {
		return nil, errs.E("sqlstore.CheckpointSizes", errs.Internal, err)
	}
	out, err := collect(rows, scanInt64)
	if err != nil {
		return nil, errs.E("sqlstore.CheckpointSizes", errs.Internal, err)
	}
	if out == nil {
		out = []int64{}
	}
	return out, nil
}

// checkpointSeq yields every stored checkpoint with cosignatures, by size.
func (db *DB) checkpointSeq(ctx context.Context) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		rows, err := db.query(ctx, `SELECT size FROM log_checkpoints ORDER BY size`)
		if err != nil {
			yield(nil, err)
			return
		}
		sizes, err := collect(rows, scanInt64)
		if err != nil {
			yield(nil, err)
			return
		}
		for _, s := range sizes {
			msg, err := db.CheckpointAt(ctx, s)
			if !yield(msg, err) || err != nil {
				return
			}
		}
	}
}

// Key purposes: a witness key cosigns checkpoints; a signer key signs
// agreements. One never stands in for the other.
const (
	KeyWitness = "witness"
	KeySigner  = "signer"
)

// LogKey is a public key of a party's bureau or approvers, or of the
// mediator, with its state under the two-person rule (keys.go).
type LogKey struct {
	Name         string    `json:"name"`
	VKey         string    `json:"vkey"`
	Party        string    `json:"party,omitempty"` // "" for the mediator
	Purpose      string    `json:"purpose"`         // KeyWitness or KeySigner
	Fingerprint  string    `json:"fingerprint"`
	RegisteredBy string    `json:"registered_by"` // who proposed it (or registered it, before the two-person rule)
	RegisteredAt time.Time `json:"registered_at"`
	// State is proposed, active or revoked (access.KeyState).
	State       access.KeyState `json:"state"`
	ConfirmedBy string          `json:"confirmed_by,omitempty"`
	ConfirmedAt time.Time       `json:"confirmed_at,omitzero"`
	EndorsedBy  string          `json:"endorsed_by,omitempty"` // the key in effect whose signature endorsed this one
	RevokedBy   string          `json:"revoked_by,omitempty"`
	RevokedAt   time.Time       `json:"revoked_at,omitzero"`
}

// LogKeys lists the keys in effect (witness and signer keys) by name: the
// keys that cosign checkpoints and sign agreements now. A proposed key is
// not among them until a second person confirms it; a revoked one no more.
func (db *DB) LogKeys(ctx context.Context) ([]LogKey, error) {
	return db.keysIn(ctx, access.KeyActive)
}

// AddCosignature stores a witness's cosignature line on the checkpoint of
// the given size, after checking it with the witness's registered key.
// Handing in the same cosignature twice is not an error. A refusal says
// what is wrong: the line's form (errs.Invalid), no witness key in effect
// of the line's name, a line made with another key of that name, or a
// signature that does not verify on this checkpoint (errs.Forbidden).
func (db *DB) AddCosignature(ctx context.Context, size int64, line string) error {
	const op = "sqlstore.AddCosignature"
	cl, err := audit.ParseCosignatureLine(line)
	if err != nil {
		return errs.E(op, err)
	}
	var msg []byte
	err = db.queryRow(ctx, `SELECT note FROM log_checkpoints WHERE size = ?`, size).Scan(&msg)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(op, errs.NotFound, fmt.Sprintf("no checkpoint of size %d", size), errs.Coded{Code: "no_checkpoint", Args: []string{fmt.Sprint(size)}})
	}
	if err != nil {
		return errs.E(op, errs.Internal, err)
	}
	keys, err := db.LogKeys(ctx)
	if err != nil {
		return err
	}
	var k LogKey
	for _, c := range keys {
		if c.Purpose == KeyWitness && c.Name == cl.Name {
			k = c
		}
	}
	if k.Name == "" {
		return errs.E(op, errs.Forbidden, fmt.Sprintf("no witness key named %s is in effect: register the witness's key first (handover key propose)", cl.Name))
	}
	if h, err := audit.CosignatureKeyHash(k.VKey); err != nil || h != cl.Hash {
		return errs.E(op, errs.Forbidden, fmt.Sprintf(
			"the cosignature was made with another key named %s (key hash %08x, the registered key's is %08x)", cl.Name, cl.Hash, h))
	}
	if err := audit.VerifyCosignature(k.VKey, msg, cl.Line); err != nil {
		return errs.E(op, errs.Forbidden, fmt.Sprintf(
			"the cosignature by %s does not verify on the checkpoint of size %d: it was made on another checkpoint, or altered", cl.Name, size))
	}
	return db.write(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `INSERT INTO log_cosignatures (size, key_name, line, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			size, k.Name, cl.Line, fmtTime(tx.now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // handed in before
		}
		app, err := tx.appender(ctx)
		if err != nil {
			return err
		}
		if _, err := app.add(audit.Leaf{Type: audit.LogCosigned, Actor: "key:" + k.Name, Time: tx.now, Subject: audit.CheckpointSubject(size),
			Commitment: audit.CommitCosignature(cl.Line)}); err != nil {
			return err
		}
		return app.flush(ctx)
	})
}

// CosignedSize returns the size of the largest checkpoint that the witness
// key name has a stored cosignature on, or 0 when it has none.
func (db *DB) CosignedSize(ctx context.Context, name string) (int64, error) {
	var n sql.NullInt64
	if err := db.queryRow(ctx, `SELECT MAX(size) FROM log_cosignatures WHERE key_name = ?`, name).Scan(&n); err != nil {
		return 0, errs.E("sqlstore.CosignedSize", errs.Internal, err)
	}
	return n.Int64, nil
}

// ProveInclusion returns the inclusion proof of leaf index in the latest
// checkpoint.
func (db *DB) ProveInclusion(ctx context.Context, index int64) ([]byte, error) {
	const op = "sqlstore.ProveInclusion"
	cp, err := db.LatestCheckpoint(ctx)
	if err != nil {
		return nil, err
	}
	c, err := audit.PeekCheckpoint(cp)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	if index < 0 || index >= c.Size {
		return nil, errs.E(op, errs.NotFound, fmt.Sprintf("leaf %d is not under the latest checkpoint (size %d); wait for the next one", index, c.Size), errs.Coded{Code: "leaf_not_covered", Args: []string{fmt.Sprint(index), fmt.Sprint(c.Size)}})
	}
	leaf, err := db.Leaf(ctx, index)
	if err != nil {
		return nil, err
	}
	p, err := audit.ProveInclusion(index, leaf, c.Size, cp, dbHashes{ctx, db})
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	return p.Marshal(), nil
}

// ProveConsistency returns the consistency proof from the stored checkpoint
// of size from to the latest checkpoint.
func (db *DB) ProveConsistency(ctx context.Context, from int64) ([]byte, error) {
	const op = "sqlstore.ProveConsistency"
	newCP, err := db.LatestCheckpoint(ctx)
	if err != nil {
		return nil, err
	}
	oldCP, err := db.CheckpointAt(ctx, from)
	if err != nil {
		return nil, err
	}
	c, err := audit.PeekCheckpoint(newCP)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	p, err := audit.ProveConsistency(from, c.Size, oldCP, newCP, dbHashes{ctx, db})
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	return p.Marshal(), nil
}

// Tile returns the contents of a tlog-tiles hash tile or entry bundle: a
// full tile within the latest checkpoint, or a partial tile of a size for
// which a checkpoint was made (C2SP tlog-tiles: "Logs MUST serve partial
// tiles corresponding to tree sizes for which a checkpoint was produced"),
// so that a client holding an older checkpoint can read its tree. Anything
// else is NotFound.
func (db *DB) Tile(ctx context.Context, t audit.Tile) ([]byte, error) {
	const op = "sqlstore.Tile"
	cp, err := db.LatestCheckpoint(ctx)
	if err != nil {
		return nil, err
	}
	c, err := audit.PeekCheckpoint(cp)
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	end, hi := audit.TileSizes(t)
	if end > c.Size {
		return nil, errs.E(op, errs.NotFound, fmt.Sprintf("no such tile: it reaches leaf %d, beyond the latest checkpoint's %d", end, c.Size))
	}
	if !audit.TileAvailable(t, c.Size) {
		// A partial tile of an earlier checkpoint: served while the store
		// holds a checkpoint of a size it belongs to.
		var one int
		err := db.queryRow(ctx, `SELECT 1 FROM log_checkpoints WHERE size >= ? AND size < ? LIMIT 1`, end, hi).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, errs.E(op, errs.NotFound, fmt.Sprintf("no such tile: no checkpoint was made at a size with %s", audit.TilePath(t)))
		}
		if err != nil {
			return nil, errs.E(op, errs.Internal, err)
		}
	}
	if t.L == -1 {
		start, end := audit.EntryRange(t)
		leaves, err := db.Leaves(ctx, start, end)
		if err != nil {
			return nil, err
		}
		b, err := audit.EntryBundle(leaves)
		if err != nil {
			return nil, errs.E(op, errs.Internal, err)
		}
		return b, nil
	}
	b, err := audit.ReadTileHashes(t, dbHashes{ctx, db})
	if err != nil {
		return nil, errs.E(op, errs.Internal, err)
	}
	return b, nil
}
