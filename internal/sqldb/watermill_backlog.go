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
	if err := checkTableName(topic); err != nil {
		return 0, fmt.Errorf("topic %q: %w", topic, err)
	}
	messages, offsets := "watermill_"+topic, "watermill_offsets_"+topic
	if exists, err := tableExists(ctx, db, d, messages); err != nil || !exists {
		return 0, err
	}
	q := backlogQueries(d, messages, offsets)
	pos, err := groupPosition(ctx, db, d, q.position, group)
	if err != nil {
		// The offsets table is created by the first subscription: without
		// it the group has no position.
		if exists, lookupErr := tableExists(ctx, db, d, offsets); lookupErr != nil || exists {
			return 0, fmt.Errorf("read the position of group %q on %s: %w", group, topic, err)
		}
	}
	args := []any{pos.Offset}
	if d == Postgres {
		args = []any{pos.TxID, pos.Offset}
	}
	var n int64
	if err := db.QueryRowContext(ctx, q.count, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count the rows of %s after group %q's position: %w", topic, group, err)
	}
	return n, nil
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
