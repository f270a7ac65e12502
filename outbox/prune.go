package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/periodic"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// pruneBatch bounds the rows one DELETE removes; a prune repeats until a
// DELETE removes fewer.
const pruneBatch = 1000

// Prune deletes the rows of the outbox that the forwarders have forwarded
// (or dead-lettered), in batches, and returns how many it deleted. It keeps
// the last forwarded row, so the table's offsets go on growing from it
// whatever the database does with an emptied table. A forwarding Transport
// prunes every Config.PruneInterval on its own; Prune is for a process with
// Config.PruneInterval negative, or with DisableForwarder set, that prunes
// when it chooses. Rows not yet forwarded, and the dead letters, are kept.
// Every instance may prune: concurrent prunes delete disjoint or
// already-deleted rows.
func (t *Transport) Prune(ctx context.Context) (int64, error) {
	n, err := prune(ctx, t.cfg)
	if err != nil {
		return n, fmt.Errorf("outbox: prune %q: %w", t.cfg.Topic, err)
	}
	return n, nil
}

// prune deletes the outbox rows before the forwarders' acknowledged
// position, which only moves forward: a position read a moment ago is
// still behind every row not yet forwarded. The position is read with a
// plain read, without taking the offsets row a forwarder's poll holds.
func prune(ctx context.Context, cfg Config) (int64, error) {
	q := pruneQueries(cfg.Dialect, cfg.Topic)
	var acked sql.NullInt64
	var txID sql.NullString // PostgreSQL only: the transaction id of the acknowledged row
	dest := []any{&acked}
	if cfg.Dialect == sourceflow.Postgres {
		dest = append(dest, &txID)
	}
	err := cfg.DB.QueryRowContext(ctx, q.position, consumerGroup).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !acked.Valid) {
		return 0, nil // no forwarder has acknowledged a row yet
	}
	if err != nil {
		return 0, fmt.Errorf("read the forwarded position: %w", err)
	}
	args := []any{acked.Int64, pruneBatch}
	if cfg.Dialect == sourceflow.Postgres {
		args = []any{txID.String, acked.Int64, pruneBatch}
	}
	var total int64
	for {
		n, err := sqldb.RowsAffected(cfg.DB.ExecContext(ctx, q.delete, args...))
		total += max(n, 0)
		if err != nil {
			return total, fmt.Errorf("delete forwarded rows: %w", err)
		}
		if n < pruneBatch {
			return total, nil
		}
	}
}

// pruneStatements are the two statements of a prune.
type pruneStatements struct {
	position string // reads the forwarders' acknowledged position
	delete   string // deletes up to a batch of rows before it
}

// pruneQueries returns the statements pruning topic's outbox. On
// PostgreSQL the forwarders read rows in (transaction_id, offset) order, the
// table's primary key; on MySQL in offset order.
func pruneQueries(d sourceflow.Dialect, topic string) pruneStatements {
	table, offsets := "watermill_"+topic, "watermill_offsets_"+topic
	if d == sourceflow.Postgres {
		// #nosec G202 -- the table names are made of the validated topic.
		return pruneStatements{
			position: `SELECT offset_acked, last_processed_transaction_id::text FROM "` + offsets + `" WHERE consumer_group = $1`,
			delete: `DELETE FROM "` + table + `" WHERE ("transaction_id", "offset") IN (
				SELECT "transaction_id", "offset" FROM "` + table + `"
				WHERE ("transaction_id", "offset") < ($1::xid8, $2)
				ORDER BY "transaction_id", "offset" LIMIT $3)`,
		}
	}
	// #nosec G202 -- as above.
	return pruneStatements{
		position: "SELECT offset_acked FROM `" + offsets + "` WHERE consumer_group = ?",
		delete:   "DELETE FROM `" + table + "` WHERE `offset` < ? ORDER BY `offset` LIMIT ?",
	}
}

// pruneLoop prunes the outbox every cfg.PruneInterval until ctx ends.
func pruneLoop(ctx context.Context, cfg Config) {
	periodic.Run(ctx.Done(), cfg.PruneInterval, func() {
		n, err := prune(ctx, cfg)
		switch {
		case err != nil && ctx.Err() == nil:
			cfg.Logger.Error("outbox: pruning forwarded rows failed", err, watermill.LogFields{"topic": cfg.Topic})
		case n > 0:
			cfg.Logger.Debug("outbox: pruned forwarded rows", watermill.LogFields{"topic": cfg.Topic, "rows": n})
		}
	})
}
