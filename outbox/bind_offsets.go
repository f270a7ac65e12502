package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"

	"github.com/sourceflow-go/sourceflow"
)

// initOffsetsRow inserts the forwarders' consumer group's offsets row of the
// outbox topic when it is missing, on ctx: the statements watermill-sql's
// Subscribe runs (the offsets adapter's BeforeSubscribingQueries) on the
// context of the forwarder's router, which Bind's context does not end. The
// forwarder's subscriber then runs none (forwarderOffsets), so its Subscribe
// touches no database and cannot hang or fail: a Subscribe that failed would
// leave Watermill's router waiting for its handler forever.
//
// On MySQL a plain read looks for the row first, as sqldb's adapter does: an
// INSERT IGNORE of an existing row waits for a forwarder's batch holding it.
func initOffsetsRow(ctx context.Context, cfg Config) error {
	if cfg.Dialect == sourceflow.MySQL {
		found, err := mysqlOffsetsRowExists(ctx, cfg.DB, cfg.Topic)
		if err != nil || found {
			return err
		}
	}
	queries, err := offsetsAdapter(cfg.Dialect).BeforeSubscribingQueries(wsql.BeforeSubscribingQueriesParams{
		Topic:         cfg.Topic,
		ConsumerGroup: consumerGroup,
	})
	if err != nil {
		return fmt.Errorf("outbox: the offsets row of %q: %w", cfg.Topic, err)
	}
	if len(queries) == 0 {
		return nil
	}
	if err := execInTx(ctx, cfg.DB, queries); err != nil {
		return fmt.Errorf("outbox: create the offsets row of %q: %w", cfg.Topic, err)
	}
	return nil
}

// mysqlOffsetsRowExists reports whether the forwarders' offsets row of topic
// exists, reading without a lock.
func mysqlOffsetsRowExists(ctx context.Context, db *sql.DB, topic string) (bool, error) {
	table := wsql.DefaultMySQLOffsetsAdapter{}.MessagesOffsetsTable(topic)
	var one int
	err := db.QueryRowContext(ctx, "SELECT 1 FROM "+table+" WHERE consumer_group = ?", consumerGroup).Scan(&one)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	default:
		return false, fmt.Errorf("outbox: look for the offsets row of %q: %w", topic, err)
	}
}

// forwarderOffsets is the offsets adapter of the forwarder's subscriber:
// Bind inserted its offsets row (initOffsetsRow), so it has no statement to
// run before subscribing.
type forwarderOffsets struct{ wsql.OffsetsAdapter }

// BeforeSubscribingQueries returns no query: see initOffsetsRow.
func (forwarderOffsets) BeforeSubscribingQueries(wsql.BeforeSubscribingQueriesParams) ([]wsql.Query, error) {
	return nil, nil
}
