package outbox

import (
	"context"
	"fmt"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// Depths reads how many rows of the outbox the forwarders have yet to
// forward and how many dead letters it holds: a sourceflow.QueueDepth named
// after cfg.Topic whose Visible is the rows after the forwarders'
// acknowledged position (every row kept, before any forwarder ran) and the
// held rows (acknowledged, waiting behind a failing destination), then
// one named <Topic>_dead_letters, DLQ true, whose Visible is the number of
// dead letters. InFlight is not recorded (0). A growing backlog means the
// forwarders cannot keep up or the inner transport keeps failing. Only
// cfg.DB, cfg.Dialect and cfg.Topic are used. It serves as a
// metrics.DepthSource through metrics.DepthFunc.
func Depths(ctx context.Context, cfg Config) ([]sourceflow.QueueDepth, error) {
	cfg.setDefaults()
	if err := cfg.validateStore(); err != nil {
		return nil, err
	}
	backlog, err := sqldb.Backlog(ctx, cfg.DB, cfg.Dialect, cfg.Topic, consumerGroup)
	if err != nil {
		return nil, fmt.Errorf("outbox: depth of %q: %w", cfg.Topic, err)
	}
	held, err := sqldb.CountRows(ctx, cfg.DB, cfg.Dialect, heldPrefix+cfg.Topic)
	if err != nil {
		return nil, fmt.Errorf("outbox: held rows of %q: %w", cfg.Topic, err)
	}
	dead, err := sqldb.CountRows(ctx, cfg.DB, cfg.Dialect, deadLetterTable(cfg.Topic))
	if err != nil {
		return nil, fmt.Errorf("outbox: dead letters of %q: %w", cfg.Topic, err)
	}
	return []sourceflow.QueueDepth{
		{Queue: cfg.Topic, Visible: backlog + held},
		{Queue: deadLetterTopic(cfg.Topic), DLQ: true, Visible: dead},
	}, nil
}
