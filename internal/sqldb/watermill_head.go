package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
)

// WatermillHead bounds what ReadWatermillHead reads of a table.
type WatermillHead struct {
	// Limit is the most rows read; at least 1.
	Limit int
	// PayloadBytes, when positive, is the most bytes read of each payload
	// (its start; text may be cut mid-character); 0 reads payloads whole.
	PayloadBytes int
	// JSONPayload says the payload column is JSON (the outbox's tables),
	// which PostgreSQL cuts as text, not bytes.
	JSONPayload bool
	// Written, when set, reads when each row was written (its created_at)
	// into its Written (see writtenColumns): ReadWatermillHead and
	// EachWatermillPageOf.
	Written bool
	// MoreBound, when positive, is the most rows counted past the head;
	// 0 means HeadMoreBound. Tests set a small one.
	MoreBound int64
}

// HeadMoreBound is the most rows ReadWatermillHead counts past the rows it
// returns: the count reads at most Limit+HeadMoreBound rows, never the
// whole table, so a table filled with millions of rows is listed as fast
// as one holding HeadMoreBound. A count equal to the bound means at least
// that many.
const HeadMoreBound = 100_000

// ReadWatermillHead returns up to h.Limit rows of table (unquoted, as
// ReadWatermillTable takes it), the first in delivery order, each payload
// cut to h.PayloadBytes when that is positive, and how many rows of table
// follow them, counted up to the bound (h.MoreBound, else HeadMoreBound):
// a count equal to the bound means at least that many. A table of any
// length, whatever its rows hold, is listed in bounded memory and time. A
// table that does not exist has no rows. A row whose metadata column
// cannot be read is returned with Unreadable saying why.
func ReadWatermillHead(ctx context.Context, db *sql.DB, d Dialect, table string, h WatermillHead) ([]WatermillRow, int64, error) {
	if h.Limit < 1 || h.PayloadBytes < 0 {
		return nil, 0, fmt.Errorf("read %q: limit %d and payload bytes %d: want a limit of 1 or more and payload bytes of 0 or more",
			table, h.Limit, h.PayloadBytes)
	}
	if err := checkTableName(table); err != nil {
		return nil, 0, fmt.Errorf("read %q: %w", table, err)
	}
	bound := cmp.Or(max(h.MoreBound, 0), HeadMoreBound)
	total, err := countRowsUpTo(ctx, db, d, table, int64(h.Limit)+bound) // 0 for a table that does not exist
	if err != nil || total == 0 {
		return nil, 0, err
	}
	q := fmt.Sprintf("%s LIMIT %d", watermillSelectOf(d, table, "", payloadColumn(d, h), h.Written), h.Limit)
	rows, err := readRowsOf(ctx, db, table, q, h.Written)
	if err != nil {
		return nil, 0, err
	}
	return rows, min(max(total-int64(len(rows)), 0), bound), nil
}

// payloadColumn is the expression ReadWatermillHead selects for the
// payload: the column, or the first h.PayloadBytes bytes of it. A JSON
// column is cut as the bytes of its UTF-8 text, not as characters, which
// both databases count in text (a cut may end mid-character).
func payloadColumn(d Dialect, h WatermillHead) string {
	switch {
	case h.PayloadBytes == 0 && d == MySQL:
		return "`payload`"
	case h.PayloadBytes == 0:
		return `"payload"`
	case d == MySQL && h.JSONPayload:
		return fmt.Sprintf("SUBSTRING(CAST(CAST(`payload` AS CHAR CHARACTER SET utf8mb4) AS BINARY), 1, %d)", h.PayloadBytes)
	case d == MySQL:
		return fmt.Sprintf("SUBSTRING(`payload`, 1, %d)", h.PayloadBytes)
	case h.JSONPayload:
		return fmt.Sprintf(`substring(convert_to("payload"::text, 'UTF8') from 1 for %d)`, h.PayloadBytes)
	default:
		return fmt.Sprintf(`substring("payload" from 1 for %d)`, h.PayloadBytes)
	}
}
