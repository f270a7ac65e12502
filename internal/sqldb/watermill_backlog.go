package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Backlog returns how many rows of topic's messages table consumer group
// group has yet to read: the rows after its acknowledged position, in the
// order the group reads them; every row when the group has no position yet
// (it reads from the start when it first subscribes). A topic without a
// messages table has none. Rows of transactions still open are not counted;
// on PostgreSQL rows committed but not yet readable (behind an older open
// transaction) are.
func Backlog(ctx context.Context, db *sql.DB, d Dialect, topic, group string) (int64, error) {
	pos, found, err := positionOn(ctx, db, d, topic, group)
	if err != nil || !found {
		return 0, err
	}
	var n int64
	q := backlogQueries(d, "watermill_"+topic, "watermill_offsets_"+topic).count
	if err := db.QueryRowContext(ctx, q, positionArgs(d, pos)...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count the rows of %s after group %q's position: %w", topic, group, err)
	}
	return n, nil
}

// positionOn returns group's acknowledged position on topic's messages
// table (the start when it has none), and whether the table exists.
func positionOn(ctx context.Context, db *sql.DB, d Dialect, topic, group string) (WatermillRow, bool, error) {
	if err := checkTableName(topic); err != nil {
		return WatermillRow{}, false, fmt.Errorf("topic %q: %w", topic, err)
	}
	messages, offsets := "watermill_"+topic, "watermill_offsets_"+topic
	if exists, err := tableExists(ctx, db, d, messages); err != nil || !exists {
		return WatermillRow{}, false, err
	}
	pos, err := groupPosition(ctx, db, d, backlogQueries(d, messages, offsets).position, group)
	if err != nil {
		// The offsets table is created by the first subscription: without
		// it the group has no position.
		if exists, lookupErr := tableExists(ctx, db, d, offsets); lookupErr != nil || exists {
			return WatermillRow{}, false, fmt.Errorf("read the position of group %q on %s: %w", group, topic, err)
		}
	}
	return pos, true, nil
}

// positionArgs are the arguments that compare a row with pos: its
// transaction id and offset on PostgreSQL, its offset on MySQL.
func positionArgs(d Dialect, pos WatermillRow) []any {
	if d == Postgres {
		return []any{pos.TxID, pos.Offset}
	}
	return []any{pos.Offset}
}

// groupPosition reads group's acknowledged position with query; a group
// without one is at the start.
func groupPosition(ctx context.Context, db *sql.DB, d Dialect, query, group string) (WatermillRow, error) {
	pos := WatermillRow{TxID: "0"}
	dest := []any{&pos.Offset}
	if d == Postgres {
		dest = append(dest, &pos.TxID)
	}
	err := db.QueryRowContext(ctx, query, group).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return WatermillRow{TxID: "0"}, nil
	}
	if err != nil {
		return WatermillRow{TxID: "0"}, err
	}
	return pos, nil
}

// CountRows returns how many rows table (unquoted, as ReadWatermillTable
// takes it) holds; a table that does not exist holds none.
func CountRows(ctx context.Context, db *sql.DB, d Dialect, table string) (int64, error) {
	return countRowsUpTo(ctx, db, d, table, 0)
}

// backlogStatements are the two statements of Backlog.
type backlogStatements struct {
	position string // reads one group's position; no row when it has none
	count    string // counts the rows after a position
}

// backlogQueries returns Backlog's statements: on PostgreSQL groups read
// rows in (transaction_id, offset) order, on MySQL in offset order.
func backlogQueries(d Dialect, messages, offsets string) backlogStatements {
	if d == Postgres {
		// #nosec G202 -- the names hold no quote (checked by Backlog).
		return backlogStatements{
			position: `SELECT COALESCE(offset_acked, 0), last_processed_transaction_id::text FROM "` + offsets + `" WHERE consumer_group = $1`,
			count:    `SELECT COUNT(*) FROM "` + messages + `" WHERE ("transaction_id", "offset") > ($1::xid8, $2)`,
		}
	}
	// #nosec G202 -- as above.
	return backlogStatements{
		position: "SELECT COALESCE(offset_acked, 0) FROM `" + offsets + "` WHERE consumer_group = ?",
		count:    "SELECT COUNT(*) FROM `" + messages + "` WHERE `offset` > ?",
	}
}
