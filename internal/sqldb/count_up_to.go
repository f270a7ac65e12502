package sqldb

import (
	"context"
	"database/sql"
	"fmt"
)

// countRowsUpTo returns how many rows table (unquoted, as
// ReadWatermillTable takes it) holds, counting at most limit of them when
// limit is positive: the count reads no more than limit rows (a LIMITed
// subquery), where COUNT(*) over the table reads every row on InnoDB. A
// limit of 0 counts every row. A table that does not exist holds none.
func countRowsUpTo(ctx context.Context, db *sql.DB, d Dialect, table string, limit int64) (int64, error) {
	if err := checkTableName(table); err != nil {
		return 0, fmt.Errorf("count %q: %w", table, err)
	}
	if exists, err := tableExists(ctx, db, d, table); err != nil || !exists {
		return 0, err
	}
	// #nosec G202 -- table is quoted and holds no quote or backtick (checkTableName).
	q := "SELECT COUNT(*) FROM " + quoteTable(d, table)
	if limit > 0 {
		// #nosec G201 -- as above; limit is an integer.
		q = fmt.Sprintf("SELECT COUNT(*) FROM (SELECT 1 FROM %s LIMIT %d) AS head", quoteTable(d, table), limit)
	}
	var n int64
	if err := db.QueryRowContext(ctx, q).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s: %w", table, err)
	}
	return n, nil
}
