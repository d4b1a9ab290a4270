package sqlstore

import (
	"database/sql"
	"encoding/json"
	"errors"
	"iter"

	"github.com/handover-project/handover/internal/errs"
)

// The helpers below are the only place in the store that walks *sql.Rows
// by hand: every query that returns rows reads them through one of them,
// so that every walk closes its rows and reports the driver's error.

// errStop, returned by an eachRow callback, ends the walk early without
// an error.
var errStop = errors.New("sqlstore: stop the walk")

// eachRow calls fn on every row of rows and closes them. The first error,
// fn's or the driver's, ends the walk; errStop ends it with none.
func eachRow(rows *sql.Rows, fn func(*sql.Rows) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			if errors.Is(err, errStop) {
				return nil
			}
			return err
		}
	}
	return rows.Err()
}

// collect reads every row of rows with scan, in order, and closes them.
func collect[T any](rows *sql.Rows, scan func(*sql.Rows) (T, error)) ([]T, error) {
	var out []T
	err := eachRow(rows, func(rows *sql.Rows) error {
		v, err := scan(rows)
		if err == nil {
			out = append(out, v)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// collectMap reads every row of rows with scan into a map, and closes
// them; a later row replaces an earlier one of the same key.
func collectMap[K comparable, V any](rows *sql.Rows, scan func(*sql.Rows) (K, V, error)) (map[K]V, error) {
	out := map[K]V{}
	err := eachRow(rows, func(rows *sql.Rows) error {
		k, v, err := scan(rows)
		if err == nil {
			out[k] = v
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// rowSeq streams the rows of the query open runs, each read with scan,
// without holding them in memory (the log's million leaves). The walk
// ends at the first error, which is yielded with the value scan read so
// far, or when the consumer stops; the rows are closed either way.
func rowSeq[T any](open func() (*sql.Rows, error), scan func(*sql.Rows) (T, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		rows, err := open()
		if err != nil {
			var zero T
			yield(zero, err)
			return
		}
		yielded := false // an error was handed to the consumer already
		err = eachRow(rows, func(rows *sql.Rows) error {
			v, err := scan(rows)
			if err != nil {
				yielded = true
				yield(v, err)
				return err
			}
			if !yield(v, nil) {
				return errStop
			}
			return nil
		})
		if err != nil && !yielded {
			var zero T
			yield(zero, err)
		}
	}
}

// cursor reads rows one at a time when asked, for a walk that merges an
// ordered query into another one (the stored search keys beside the
// records they belong to). Its owner closes it.
type cursor[T any] struct {
	rows *sql.Rows
	scan func(*sql.Rows) (T, error)
}

// next reads the next row; ok is false when there is none left, or on an
// error.
func (c *cursor[T]) next() (v T, ok bool, err error) {
	if !c.rows.Next() {
		return v, false, c.rows.Err()
	}
	v, err = c.scan(c.rows)
	return v, err == nil, err
}

func (c *cursor[T]) Close() error { return c.rows.Close() }

// scanJSON reads a row of one column, a JSON body, into a T.
func scanJSON[T any](rows *sql.Rows) (T, error) {
	var v T
	var body []byte
	if err := rows.Scan(&body); err != nil {
		return v, err
	}
	err := json.Unmarshal(body, &v)
	return v, err
}

// scanInt64 reads a row of one integer column.
func scanInt64(rows *sql.Rows) (int64, error) {
	var n int64
	err := rows.Scan(&n)
	return n, err
}

// scanString reads a row of one text column.
func scanString(rows *sql.Rows) (string, error) {
	var s string
	err := rows.Scan(&s)
	return s, err
}

// scanBytes reads a row of one binary column.
func scanBytes(rows *sql.Rows) ([]byte, error) {
	var b []byte
	err := rows.Scan(&b)
	return b, err
}

// internal marks an error a walk over rows ended with as Internal, under
// op, unless it is one of the store's own (a refusal the walk decided on),
// which passes unchanged.
func internal(op string, err error) error {
	var e *errs.Error
	if err == nil || errors.As(err, &e) {
		return err
	}
	return errs.E(op, errs.Internal, err)
}
