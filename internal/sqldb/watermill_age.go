package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Written is when a row of a messages table was written (its created_at
// column) and when it was read, both by the database's clock, so that the
// age they give does not depend on the clock of the machine that reads.
type Written struct {
	At  time.Time // the row's created_at
	Now time.Time // the database's time of the read
}

// Age is how long before the read the row was written.
func (w Written) Age() time.Duration { return w.Now.Sub(w.At) }

// OldestAhead returns when the first row of topic's messages table that
// consumer group group has yet to read was written, and whether there is
// one: as Backlog counts them, the rows after the group's acknowledged
// position, every row when it has none. A topic without a messages table
// has none. A group that does not move has the age of its oldest row ahead
// grow, where one that is only slow keeps it short.
func OldestAhead(ctx context.Context, db *sql.DB, d Dialect, topic, group string) (Written, bool, error) {
	pos, found, err := positionOn(ctx, db, d, topic, group)
	if err != nil || !found {
		return Written{}, false, err
	}
	messages := "watermill_" + topic
	// #nosec G202 -- messages holds no quote or backtick (checkTableName in positionOn).
	q := `SELECT ` + writtenColumns(d) + ` FROM "` + messages + `" WHERE ("transaction_id", "offset") > ($1::xid8, $2) ` +
		`ORDER BY "transaction_id", "offset" LIMIT 1`
	if d == MySQL {
		q = "SELECT " + writtenColumns(d) + " FROM `" + messages + "` WHERE `offset` > ? ORDER BY `offset` LIMIT 1" // #nosec G202 -- as above
	}
	w, found, err := readWritten(ctx, db, q, positionArgs(d, pos)...)
	if err != nil {
		return Written{}, false, fmt.Errorf("read the oldest row of %s after group %q's position: %w", topic, group, err)
	}
	return w, found, nil
}

// WatermillEnds returns when the first and the last rows of table
// (unquoted, as ReadWatermillTable takes it) in delivery order were
// written, and whether it has rows: two reads through the table's key,
// however many rows it holds. A table that does not exist has none.
func WatermillEnds(ctx context.Context, db *sql.DB, d Dialect, table string) (first, last Written, found bool, err error) {
	if err := checkTableName(table); err != nil {
		return Written{}, Written{}, false, fmt.Errorf("read %q: %w", table, err)
	}
	if exists, err := tableExists(ctx, db, d, table); err != nil || !exists {
		return Written{}, Written{}, false, err
	}
	// #nosec G202 -- table holds no quote or backtick (checkTableName).
	q, order := `SELECT `+writtenColumns(d)+` FROM "`+table+`" ORDER BY "transaction_id" %[1]s, "offset" %[1]s LIMIT 1`, []string{"ASC", "DESC"}
	if d == MySQL {
		q = "SELECT " + writtenColumns(d) + " FROM `" + table + "` ORDER BY `offset` %[1]s LIMIT 1" // #nosec G202 -- as above
	}
	first, found, err = readWritten(ctx, db, fmt.Sprintf(q, order[0]))
	if err == nil && found {
		last, found, err = readWritten(ctx, db, fmt.Sprintf(q, order[1]))
	}
	if err != nil {
		return Written{}, Written{}, false, fmt.Errorf("read when the rows of %s were written: %w", table, err)
	}
	return first, last, found, nil
}

// writtenColumns selects a row's created_at and the database's time, each
// in whole seconds since the epoch. PostgreSQL's created_at is a
// TIMESTAMPTZ (see pgCreatedAt), read right in any session zone; in a
// table of an earlier release it is a TIMESTAMP without time zone holding
// the time of the writer's session time zone, which the cast reads as of
// the reader's: a reader whose session zone is h hours east of the
// writer's sees every row h hours older. MySQL's TIMESTAMP is stored in
// UTC: UNIX_TIMESTAMP reads it right in any session zone.
func writtenColumns(d Dialect) string {
	if d == MySQL {
		return "CAST(UNIX_TIMESTAMP(`created_at`) AS SIGNED), " + nowColumn(d)
	}
	return `CAST(FLOOR(EXTRACT(EPOCH FROM "created_at"::timestamptz)) AS BIGINT), ` + nowColumn(d)
}

// nowColumn selects the database's time in whole seconds since the epoch:
// the now of writtenColumns and of DatabaseNow.
func nowColumn(d Dialect) string {
	if d == MySQL {
		return "CAST(UNIX_TIMESTAMP() AS SIGNED)"
	}
	return `CAST(FLOOR(EXTRACT(EPOCH FROM now())) AS BIGINT)`
}

// readWritten runs q, which selects writtenColumns, and reads its row.
func readWritten(ctx context.Context, db *sql.DB, q string, args ...any) (Written, bool, error) {
	var at, now int64
	err := db.QueryRowContext(ctx, q, args...).Scan(&at, &now)
	if errors.Is(err, sql.ErrNoRows) {
		return Written{}, false, nil
	}
	if err != nil {
		return Written{}, false, err
	}
	return writtenOf(at, now), true, nil
}

// writtenOf is the Written of at and now, the values writtenColumns
// selects.
func writtenOf(at, now int64) Written {
	return Written{At: time.Unix(at, 0).UTC(), Now: time.Unix(now, 0).UTC()}
}
