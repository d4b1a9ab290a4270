package sqlstore

import (
	"database/sql"
	"encoding/json"
)

// eachRow calls fn on every row of rows and closes them. The first error,
// fn's or the driver's, ends the walk.
func eachRow(rows *sql.Rows, fn func(*sql.Rows) error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
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
