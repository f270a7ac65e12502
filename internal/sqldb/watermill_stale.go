package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// BacklogOlderThan counts, as Backlog does, the rows of topic's messages
// table that consumer group group has yet to read, but only those written
// more than age before the database's current time (see writtenColumns on
// the time zones of PostgreSQL's created_at). It also reports whether the
// table exists; a topic without one has no rows.
func BacklogOlderThan(ctx context.Context, db *sql.DB, d Dialect, topic, group string, age time.Duration) (int64, bool, error) {
	pos, found, err := positionOn(ctx, db, d, topic, group)
	if err != nil || !found {
		return 0, found, err
	}
	messages := "watermill_" + topic
	// #nosec G202 -- messages holds no quote or backtick (checkTableName in positionOn).
	q := `SELECT COUNT(*) FROM "` + messages + `" WHERE ("transaction_id", "offset") > ($1::xid8, $2) ` +
		`AND "created_at"::timestamptz < now() - $3::bigint * interval '1 second'`
	if d == MySQL {
		// #nosec G202 -- as above.
		q = "SELECT COUNT(*) FROM `" + messages + "` WHERE `offset` > ? AND `created_at` < NOW() - INTERVAL ? SECOND"
	}
	var n int64
	args := append(positionArgs(d, pos), int64(age/time.Second))
	if err := db.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, true, fmt.Errorf("count the rows of %s after group %q's position written over %s ago: %w", topic, group, age, err)
	}
	return n, true, nil
}
