package outbox

import (
	"context"
	"fmt"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// initOffsetsRow inserts the forwarders' consumer group's offsets row of the
// outbox topic when it is missing, on ctx: the statements watermill-sql's
// Subscribe runs (the offsets adapter's BeforeSubscribingQueries) on the
// context of the forwarder's router, which Bind's context does not end. The
// forwarder's subscriber then runs none (forwarderOffsets), so its Subscribe
// touches no database and cannot hang or fail: a Subscribe that failed would
// leave Watermill's router waiting for its handler forever.
//
// On MySQL a plain read looks for the row first (sqldb.OffsetsRowQueries):
// an INSERT IGNORE of an existing row waits for a forwarder's batch holding it.
func initOffsetsRow(ctx context.Context, cfg Config) error {
	queries, err := sqldb.OffsetsRowQueries(ctx, cfg.Dialect, cfg.DB, wsql.BeforeSubscribingQueriesParams{
		Topic:         cfg.Topic,
		ConsumerGroup: consumerGroup,
	})
	if err != nil {
		return fmt.Errorf("outbox: look for the offsets row of %q: %w", cfg.Topic, err)
	}
	if len(queries) == 0 {
		return nil
	}
	if err := sqldb.ExecInTx(ctx, cfg.DB, queries); err != nil {
		return fmt.Errorf("outbox: create the offsets row of %q: %w", cfg.Topic, err)
	}
	return nil
}

// forwarderOffsets is the offsets adapter of the forwarder's subscriber:
// Bind inserted its offsets row (initOffsetsRow), so it has no statement to
// run before subscribing.
type forwarderOffsets struct{ wsql.OffsetsAdapter }

// BeforeSubscribingQueries returns no query: see initOffsetsRow.
func (forwarderOffsets) BeforeSubscribingQueries(wsql.BeforeSubscribingQueriesParams) ([]wsql.Query, error) {
	return nil, nil
}
