package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// EachWatermillPage calls fn with the rows table (unquoted, as
// ReadWatermillTable takes it) holds when it begins, in delivery order, up
// to limit at a time, reading each page once fn handled the one before: a
// table of any length is read in bounded memory. Rows written meanwhile
// (behind the last one it found, or by a transaction still open when it
// began) are not read, so a caller that writes
// rows back into table ends. fn may delete the rows it is given. A table
// that does not exist has no rows.
func EachWatermillPage(ctx context.Context, db *sql.DB, d Dialect, table string, limit int, fn func([]WatermillRow) error) error {
	return EachWatermillPageOf(ctx, db, d, table, WatermillHead{Limit: limit}, fn)
}

// EachWatermillPageOf is EachWatermillPage reading pages of up to h.Limit
// rows, each payload cut to h.PayloadBytes when that is positive (see
// WatermillHead; MoreBound is not used): a caller that needs only the
// metadata, or the start of each payload, reads a table of large rows in
// bounded memory.
func EachWatermillPageOf(ctx context.Context, db *sql.DB, d Dialect, table string, h WatermillHead, fn func([]WatermillRow) error) error {
	if h.Limit < 1 || h.PayloadBytes < 0 {
		return fmt.Errorf("read %q: page of %d rows and payload bytes %d: want a page of 1 or more and payload bytes of 0 or more",
			table, h.Limit, h.PayloadBytes)
	}
	if err := checkTableName(table); err != nil {
		return fmt.Errorf("read %q: %w", table, err)
	}
	exists, err := tableExists(ctx, db, d, table)
	if err != nil || !exists {
		return err
	}
	last, snapshot, found, err := lastWatermillRow(ctx, db, d, table)
	if err != nil || !found {
		return err
	}
	after := WatermillRow{TxID: "0"}
	for {
		page, err := readRowsOf(ctx, db, table, pageQuery(d, table, h), h.Written, pageArgs(d, after, last, snapshot)...)
		if err != nil || len(page) == 0 {
			return err
		}
		if err := fn(page); err != nil {
			return err
		}
		after = page[len(page)-1]
	}
}

// pageQuery reads up to h.Limit rows after one position and through
// another, their payloads as h asks; on PostgreSQL, only those committed
// in a snapshot (see lastWatermillRow).
func pageQuery(d Dialect, table string, h WatermillHead) string {
	where := `("transaction_id", "offset") > ($1::xid8, $2) AND ("transaction_id", "offset") <= ($3::xid8, $4) ` +
		`AND pg_visible_in_snapshot("transaction_id", $5::pg_snapshot)`
	if d == MySQL {
		where = "`offset` > ? AND `offset` <= ?"
	}
	return fmt.Sprintf("%s LIMIT %d", watermillSelectOf(d, table, where, payloadColumn(d, h), h.Written), h.Limit)
}

// pageArgs are the arguments of pageQuery.
func pageArgs(d Dialect, after, through WatermillRow, snapshot string) []any {
	if d == MySQL {
		return []any{after.Offset, through.Offset}
	}
	return []any{after.TxID, after.Offset, through.TxID, through.Offset, snapshot}
}

// lastWatermillRow returns the position of the last row of table in
// delivery order, and whether it has one; on PostgreSQL with the snapshot
// of that read (which transactions had committed): a row whose transaction
// was still open then sorts among the rows that were there (by
// transaction id), and is left out by it. On MySQL, where a topic's rows
// are written under a lock, in offset order, the snapshot is empty.
func lastWatermillRow(ctx context.Context, db *sql.DB, d Dialect, table string) (WatermillRow, string, bool, error) {
	// #nosec G202 -- table is quoted and holds no quote or backtick (checkTableName).
	// ORDER BY names the table's xid8 column, not the text selected under its name.
	q := `SELECT "transaction_id"::text, "offset", pg_current_snapshot()::text FROM "` + table + `" ORDER BY "` + table + `"."transaction_id" DESC, "offset" DESC LIMIT 1`
	if d == MySQL {
		q = "SELECT '', `offset`, '' FROM `" + table + "` ORDER BY `offset` DESC LIMIT 1" // #nosec G202 -- as above
	}
	var r WatermillRow
	var snapshot string
	err := db.QueryRowContext(ctx, q).Scan(&r.TxID, &r.Offset, &snapshot)
	if errors.Is(err, sql.ErrNoRows) {
		return r, "", false, nil
	}
	if err != nil {
		return r, "", false, fmt.Errorf("read the last row of %s: %w", table, err)
	}
	return r, snapshot, true, nil
}
