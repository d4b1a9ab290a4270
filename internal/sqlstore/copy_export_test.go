package sqlstore

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// TableValues returns every row of a table as one line of its values, by
// column name and kind: a BLOB/BYTEA column's bytes in hex, text quoted,
// integers and floats apart, NULL; sorted, so that the rows of two
// databases compare whatever order each returns them in.
func (db *DB) TableValues(ctx context.Context, table string) ([]string, error) {
	blobs, err := blobColumns(ctx, db.dialect, db.db, table)
	if err != nil {
		return nil, err
	}
	rows, err := db.db.QueryContext(ctx, `SELECT * FROM `+table)
	if err != nil {
		return nil, err
	}
	cols, err := rows.Columns()
	if err != nil {
		rows.Close()
		return nil, err
	}
	order := make([]int, len(cols))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(cols[a], cols[b]) })
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var out []string
	err = eachRow(rows, func(rows *sql.Rows) error {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		var b strings.Builder
		for _, i := range order {
			fmt.Fprintf(&b, "%s=%s ", cols[i], valueText(vals[i], blobs[cols[i]]))
		}
		out = append(out, b.String())
		return nil
	})
	slices.Sort(out)
	return out, err
}

func valueText(v any, blob bool) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		if blob {
			return "x'" + hex.EncodeToString([]byte(x)) + "'"
		}
		return strconv.Quote(x)
	case []byte:
		if blob {
			return "x'" + hex.EncodeToString(x) + "'"
		}
		return strconv.Quote(string(x))
	case int64:
		return "int " + strconv.FormatInt(x, 10)
	case float64:
		return "float " + strconv.FormatFloat(x, 'g', -1, 64)
	case time.Time:
		return strconv.Quote(fmtTime(x))
	}
	return fmt.Sprintf("%T %v", v, v)
}
