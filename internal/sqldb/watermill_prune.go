package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow/internal/periodic"
)

// PruneBatch bounds the rows one DELETE of PruneConsumed removes; a prune
// repeats until a DELETE removes fewer.
const PruneBatch = 1000

// PruneConsumed deletes, PruneBatch at a time, the rows of watermill-sql's
// messages table of topic that every consumer group in the topic's offsets
// table has acknowledged, and returns how many it deleted. It keeps the
// row at the slowest group's position, so the table's offsets go on from
// it whatever the database does with an emptied table. A topic with no
// consumer group loses nothing: no row counts as consumed, and so does a
// topic without an offsets table (published to, never subscribed to).
//
// The position is read with a plain read, which does not wait for a poll
// (on MySQL a poll locks its group's offsets row). A group's position only
// moves forward, and every row before it was read (on PostgreSQL only rows
// of ended transactions are read, in transaction id order; on MySQL the
// writers must commit a topic's rows in offset order, as sqlbus's publisher
// and the outbox's lock make them), so no row a group has yet to read is
// deleted. A group added after a prune
// starts at the first row kept.
func PruneConsumed(ctx context.Context, db *sql.DB, d Dialect, topic string) (int64, error) {
	if err := checkTableName(topic); err != nil {
		return 0, fmt.Errorf("topic %q: %w", topic, err)
	}
	q := pruneQueries(d, "watermill_"+topic, "watermill_offsets_"+topic)
	var acked int64
	var txID string // PostgreSQL only: the transaction id at the slowest position
	dest := []any{&acked}
	if d == Postgres {
		dest = append(dest, &txID)
	}
	err := db.QueryRowContext(ctx, q.position).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		// The offsets table is created by the first subscription: a topic
		// without one has no consumer group, and nothing counts as consumed.
		// Looked up only here, so a prune costs no lookup of its own.
		if exists, lookupErr := tableExists(ctx, db, d, "watermill_offsets_"+topic); lookupErr == nil && !exists {
			return 0, nil
		}
		return 0, fmt.Errorf("read the consumed position of %s: %w", topic, err)
	}
	args := []any{acked, PruneBatch}
	if d == Postgres {
		args = []any{txID, acked, PruneBatch}
	}
	var total int64
	for {
		n, err := RowsAffected(db.ExecContext(ctx, q.delete, args...))
		total += max(n, 0)
		if err != nil {
			return total, fmt.Errorf("delete consumed rows of %s: %w", topic, err)
		}
		if n < PruneBatch {
			return total, nil
		}
	}
}

// PruneEvery runs PruneConsumed on topic every interval until ctx ends,
// logging a failure (except the one ctx's end causes) at error level and a
// prune that deleted rows at debug level, each under component's name.
func PruneEvery(ctx context.Context, interval time.Duration, db *sql.DB, d Dialect, topic string, logger watermill.LoggerAdapter, component string) {
	periodic.Run(ctx.Done(), interval, func() {
		n, err := PruneConsumed(ctx, db, d, topic)
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Error(component+": pruning consumed rows failed", err, watermill.LogFields{"topic": topic})
		case n > 0:
			logger.Debug(component+": pruned consumed rows", watermill.LogFields{"topic": topic, "rows": n})
		}
	})
}

// pruneStatements are the two statements of a prune.
type pruneStatements struct {
	position string // reads the slowest group's position; no row when there is no group
	delete   string // deletes up to a batch of rows before that position
}

// pruneQueries returns the statements pruning the messages table. On
// PostgreSQL groups read rows in (transaction_id, offset) order, the
// table's primary key; on MySQL in offset order. A group's NULL position
// counts as the start.
func pruneQueries(d Dialect, messages, offsets string) pruneStatements {
	if d == Postgres {
		// ORDER BY names the table's xid8 column, not the text selected
		// under its name, which sorts "10" before "9".
		// #nosec G202 -- the names hold no quote (checked by PruneConsumed).
		return pruneStatements{
			position: `SELECT COALESCE(offset_acked, 0), last_processed_transaction_id::text FROM "` + offsets + `"
				ORDER BY "` + offsets + `".last_processed_transaction_id, COALESCE(offset_acked, 0) LIMIT 1`,
			delete: `DELETE FROM "` + messages + `" WHERE ("transaction_id", "offset") IN (
				SELECT "transaction_id", "offset" FROM "` + messages + `"
				WHERE ("transaction_id", "offset") < ($1::xid8, $2)
				ORDER BY "transaction_id", "offset" LIMIT $3)`,
		}
	}
	// #nosec G202 -- as above.
	return pruneStatements{
		position: "SELECT COALESCE(offset_acked, 0) FROM `" + offsets + "` ORDER BY COALESCE(offset_acked, 0) LIMIT 1",
		delete:   "DELETE FROM `" + messages + "` WHERE `offset` < ? ORDER BY `offset` LIMIT ?",
	}
}
