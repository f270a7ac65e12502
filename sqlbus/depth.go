package sqlbus

import (
	"context"
	"errors"
	"fmt"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// Depths reads how many messages of each destination service has yet to
// handle, and how many dead letters each destination holds: for each
// destination, in order, a sourceflow.QueueDepth named after it whose
// Visible is the number of messages after the position of service's
// consumer group (every message kept, before its first subscription), then
// one named after it too, DLQ true, whose Visible is the number of its dead
// letters (kept in the table of DeadLetterTopic(destination)). Both carry
// the destination as given, never its encoded topic. InFlight is not
// recorded (0): a message being handled counts as visible until its group
// acknowledges it. Pass the destinations service consumes through sqlbus
// (those of its sourceflow.Binding's Listeners, when all go through
// sqlbus). A destination that cannot be read is left out and its error
// joined into the returned error, so a caller gets the depths read together
// with what failed. Each destination costs five short queries, one of which
// counts the rows ahead (through the table's key: a backlog of millions
// takes a while to count); only cfg.DB and cfg.Dialect are used. It serves
// as a metrics.DepthSource through metrics.DepthFunc.
func Depths(ctx context.Context, cfg Config, service string, destinations ...string) ([]sourceflow.QueueDepth, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	out := make([]sourceflow.QueueDepth, 0, 2*len(destinations))
	var errs []error
	for _, dest := range destinations {
		backlog, err := sqldb.Backlog(ctx, cfg.DB, cfg.Dialect, Topic(dest), service)
		if err != nil {
			errs = append(errs, fmt.Errorf("sqlbus: depth of %q: %w", dest, err))
			continue
		}
		dead, err := sqldb.CountRows(ctx, cfg.DB, cfg.Dialect, "watermill_"+DeadLetterTopic(dest))
		if err != nil {
			errs = append(errs, fmt.Errorf("sqlbus: dead letters of %q: %w", dest, err))
			continue
		}
		out = append(out,
			sourceflow.QueueDepth{Queue: dest, Visible: backlog},
			sourceflow.QueueDepth{Queue: dest, DLQ: true, Visible: dead})
	}
	return out, errors.Join(errs...)
}
