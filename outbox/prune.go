package outbox

import (
	"context"
	"fmt"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow/internal/periodic"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// Prune deletes the rows of the outbox that the forwarders have forwarded
// (or dead-lettered), a thousand per statement, and returns how many it
// deleted. It keeps the last forwarded row, so the table's offsets go on
// growing from it whatever the database does with an emptied table. A
// forwarding Transport prunes every Config.PruneInterval on its own; Prune
// is for a process that prunes when it chooses (a PruneInterval negative, a
// job). Rows not yet forwarded, and the dead letters, are kept. Every
// instance may prune: concurrent prunes delete disjoint or already-deleted
// rows. Only cfg.DB, cfg.Dialect and cfg.Topic are used.
func Prune(ctx context.Context, cfg Config) (int64, error) {
	cfg.setDefaults()
	if err := cfg.validateStore(); err != nil {
		return 0, err
	}
	n, err := prune(ctx, cfg)
	if err != nil {
		return n, fmt.Errorf("outbox: prune %q: %w", cfg.Topic, err)
	}
	return n, nil
}

// prune deletes the outbox rows before the forwarders' acknowledged
// position (see sqldb.PruneConsumed: the outbox's MySQL lock commits its
// rows in offset order).
func prune(ctx context.Context, cfg Config) (int64, error) {
	return sqldb.PruneConsumed(ctx, cfg.DB, cfg.Dialect, cfg.Topic)
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
