package outbox

import (
	"context"
	"fmt"

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
	// The outbox's MySQL lock commits its rows in offset order, as
	// PruneConsumed requires.
	n, err := sqldb.PruneConsumed(ctx, cfg.DB, cfg.Dialect, cfg.Topic)
	if err != nil {
		return n, fmt.Errorf("outbox: prune %q: %w", cfg.Topic, err)
	}
	return n, nil
}
