package sqlbus

import (
	"context"
	"fmt"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// ConsumerGroup is a service that subscribed to a destination, and how many
// of the destination's messages it has yet to handle.
type ConsumerGroup struct {
	// Service is the service, whose name is the consumer group's.
	Service string
	// Ahead is the messages after its position (see Depths).
	Ahead int64
}

// ConsumerGroups returns every consumer group of destination, by service
// name, each with its backlog. A service that no longer runs keeps its
// group, and with it a backlog that grows with every message and holds
// back the pruning of destination (see Prune): RemoveConsumerGroup deletes
// it. A destination never subscribed to has none. Only cfg.DB and
// cfg.Dialect are used.
func ConsumerGroups(ctx context.Context, cfg Config, destination string) ([]ConsumerGroup, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	groups, err := sqldb.Groups(ctx, cfg.DB, cfg.Dialect, Topic(destination))
	if err != nil {
		return nil, fmt.Errorf("sqlbus: consumer groups of %q: %w", destination, err)
	}
	out := make([]ConsumerGroup, len(groups))
	for i, g := range groups {
		out[i] = ConsumerGroup{Service: g.Group, Ahead: g.Ahead}
	}
	return out, nil
}

// RemoveConsumerGroup deletes the position of service's consumer group on
// destination and reports whether it had one, so a service that no longer
// consumes destination stops holding back its pruning. Remove only the
// group of a service that is gone: one still running reads destination
// again from the first row kept (its idempotency drops what it handled
// before), and takes its group back. Only cfg.DB and cfg.Dialect are used.
func RemoveConsumerGroup(ctx context.Context, cfg Config, destination, service string) (bool, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return false, err
	}
	removed, err := sqldb.ForgetGroup(ctx, cfg.DB, cfg.Dialect, Topic(destination), service)
	if err != nil {
		return false, fmt.Errorf("sqlbus: remove consumer group %q of %q: %w", service, destination, err)
	}
	return removed, nil
}
