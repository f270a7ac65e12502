package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// WatermillRow is one row of a messages table of watermill-sql's default
// schema (the tables of sqlbus destinations and of the outbox).
type WatermillRow struct {
	TxID     string // PostgreSQL only: the row's transaction_id, which leads the table's key
	Offset   int64
	UUID     string
	Payload  []byte
	Metadata map[string]string
	// Unreadable, when not empty, says why the metadata column could not
	// be read (it is not a JSON object of strings); Metadata then holds
	// only MetaBadRow, saying the same.
	Unreadable string
	// Written is when the row was written (its created_at) and read, by
	// the database's clock; zero unless the read asked for it
	// (WatermillHead.Written).
	Written Written
}

// ReadWatermillTable returns the rows of table (unquoted; a name holding a
// quote, backtick or NUL is refused) in delivery order. A table that does
// not exist has no rows. A row whose metadata column cannot be read is
// returned with Unreadable saying why. It holds every row, payloads
// included: for tables of a known small size (tests); read the rows of
// others with ReadWatermillHead or EachWatermillPage.
func ReadWatermillTable(ctx context.Context, db *sql.DB, d Dialect, table string) ([]WatermillRow, error) {
	if err := checkTableName(table); err != nil {
		return nil, fmt.Errorf("read %q: %w", table, err)
	}
	exists, err := tableExists(ctx, db, d, table)
	if err != nil || !exists {
		return nil, err
	}
	return readRows(ctx, db, table, watermillSelect(d, table, ""))
}

// WatermillTableExists reports whether the messages table of topic,
// watermill_<topic>, exists: watermill-sql creates it when the topic is
// first published to or subscribed to (a destination), or when its outbox
// is first bound. A topic holding a quote, backtick or NUL is refused.
func WatermillTableExists(ctx context.Context, db *sql.DB, d Dialect, topic string) (bool, error) {
	table := "watermill_" + topic
	if err := checkTableName(table); err != nil {
		return false, fmt.Errorf("look up %q: %w", table, err)
	}
	return tableExists(ctx, db, d, table)
}

// watermillSelect is the query of the rows of table matching where (none
// when empty), in delivery order; its placeholders follow d.
func watermillSelect(d Dialect, table, where string) string {
	return watermillSelectOf(d, table, where, payloadColumn(d, WatermillHead{}), false)
}

// watermillSelectOf is watermillSelect selecting payload (an expression
// of the payload column) for the payload, and after the metadata, when
// written is set, writtenColumns (see readRowsOf).
func watermillSelectOf(d Dialect, table, where, payload string, written bool) string {
	after := ""
	if written {
		after = ", " + writtenColumns(d)
	}
	// #nosec G202 -- table is quoted and holds no quote or backtick (checkTableName); payload and after are ours.
	q := `SELECT "transaction_id"::text, "offset", "uuid", ` + payload + `, "metadata"` + after + ` FROM "` + table + `"`
	// The table name makes ORDER BY sort the xid8 column, not the text
	// selected under its name ("10" sorts before "9").
	order := ` ORDER BY "` + table + `"."transaction_id", "offset"`
	if d == MySQL {
		q = "SELECT '', `offset`, `uuid`, " + payload + ", `metadata`" + after + " FROM `" + table + "`" // #nosec G202 -- as above
		order = " ORDER BY `offset`"
	}
	if where != "" {
		q += " WHERE " + where
	}
	return q + order
}

// readRows runs q with args on db and returns the rows it reads.
func readRows(ctx context.Context, db *sql.DB, table, q string, args ...any) ([]WatermillRow, error) {
	return readRowsOf(ctx, db, table, q, false, args...)
}

// readRowsOf is readRows of a q that, when written is set, selects
// writtenColumns after the metadata, read into each row's Written.
func readRowsOf(ctx context.Context, db *sql.DB, table, q string, written bool, args ...any) ([]WatermillRow, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	defer rows.Close()
	var out []WatermillRow
	for rows.Next() {
		var r WatermillRow
		var meta []byte
		dest := []any{&r.TxID, &r.Offset, &r.UUID, &r.Payload, &meta}
		var at, now int64
		if written {
			dest = append(dest, &at, &now)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("read %s: %w", table, err)
		}
		if written {
			r.Written = writtenOf(at, now)
		}
		if len(meta) > 0 {
			if err := json.Unmarshal(meta, &r.Metadata); err != nil {
				r.Unreadable = badMetadata(err)
				r.Metadata = map[string]string{MetaBadRow: r.Unreadable}
			}
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	return out, nil
}

// checkTableName refuses a table name holding a quote, backtick or NUL:
// names are spliced into statements.
func checkTableName(table string) error {
	if strings.ContainsAny(table, "\"`\x00") {
		return errors.New("a table name must not hold a quote, backtick or NUL")
	}
	return nil
}

// tableExists reports whether table exists in the current schema
// (PostgreSQL: on the search path).
func tableExists(ctx context.Context, db *sql.DB, d Dialect, table string) (bool, error) {
	var n int
	var err error
	if d == MySQL {
		err = db.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.tables "+
			"WHERE table_schema = DATABASE() AND table_name = ?", table).Scan(&n)
	} else {
		err = db.QueryRowContext(ctx, "SELECT COUNT(*) FROM (SELECT to_regclass($1) AS t) r WHERE r.t IS NOT NULL",
			`"`+table+`"`).Scan(&n)
	}
	if err != nil {
		return false, fmt.Errorf("look up table %s: %w", table, err)
	}
	return n > 0, nil
}

// TakeWatermillRow deletes row, read from table (unquoted, letters, digits
// and "-$:._" only) by ReadWatermillTable, on ex and reports whether it was
// still there: of two transactions taking one row, one gets it. It finds
// the row by the table's key: on PostgreSQL (transaction_id, offset).
func TakeWatermillRow(ctx context.Context, ex Executor, d Dialect, table string, row WatermillRow) (bool, error) {
	if err := checkTableName(table); err != nil {
		return false, fmt.Errorf("take a row of %q: %w", table, err)
	}
	// #nosec G202 -- table is quoted and holds no quote or backtick (checkTableName).
	q, args := `DELETE FROM "`+table+`" WHERE "transaction_id" = $1::xid8 AND "offset" = $2`, []any{row.TxID, row.Offset}
	if d == MySQL {
		q, args = "DELETE FROM `"+table+"` WHERE `offset` = ?", []any{row.Offset}
	}
	n, err := RowsAffected(ex.ExecContext(ctx, q, args...))
	return n == 1, err
}

// Readable returns the rows of rows whose metadata could be read, and an
// error naming the others (nil when there are none): a caller moving rows
// leaves those where they are, for an operator to repair or delete, and
// moves the rest.
func Readable(rows []WatermillRow) ([]WatermillRow, error) {
	readable := rows[:0:0]
	var bad []error
	for _, r := range rows {
		if r.Unreadable != "" {
			bad = append(bad, fmt.Errorf("row %s: %s", Shorten(r.UUID), r.Unreadable))
			continue
		}
		readable = append(readable, r)
	}
	if len(bad) > 0 {
		return readable, fmt.Errorf("left %d rows whose metadata cannot be read (repair or delete them): %w", len(bad), errors.Join(bad...))
	}
	return readable, nil
}
