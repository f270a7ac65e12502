package cli

import (
	"context"
	"errors"
	"strings"
)

// dlqDepth is one row of dlq list: a dead-letter queue's depth and the
// backlog of its source queue.
type dlqDepth struct {
	pair              dlqPair
	visible, inFlight int64
	missing           bool
	// sourceAhead and sourceInFlight are the source queue's messages
	// visible (yet to be received) and in flight (received, not yet
	// deleted); sourceMissing is true when it does not exist.
	sourceAhead, sourceInFlight int64
	sourceMissing               bool
}

// readDLQDepth reads the depth of the dead-letter queue of p and of its
// source queue; a missing queue is marked so in the row, any other error
// is returned.
func readDLQDepth(ctx context.Context, api dlqSQS, p dlqPair) (dlqDepth, error) {
	row := dlqDepth{pair: p}
	q, err := resolveQueue(ctx, api, p.dlq)
	switch {
	case errors.Is(err, errQueueMissing):
		row.missing = true
	case err != nil:
		return dlqDepth{}, err
	default:
		row.visible, row.inFlight = q.visible, q.inFlight
	}
	q, err = resolveQueue(ctx, api, p.source)
	switch {
	case errors.Is(err, errQueueMissing):
		row.sourceMissing = true
	case err != nil:
		return dlqDepth{}, err
	default:
		row.sourceAhead, row.sourceInFlight = q.visible, q.inFlight
	}
	return row, nil
}

// errListMissing reports the queues that dlq list found missing.
type errListMissing struct {
	dlqs, sources int
}

// Error implements error.
func (n errListMissing) Error() string {
	var parts []string
	if n.dlqs > 0 {
		parts = append(parts, counted(n.dlqs, "dead-letter queue", "dead-letter queues"))
	}
	if n.sources > 0 {
		parts = append(parts, counted(n.sources, "source queue", "source queues"))
	}
	return strings.Join(parts, " and ") + " missing"
}

// count adds the queues of row found missing.
func (n *errListMissing) count(row dlqDepth) {
	if row.missing {
		n.dlqs++
	}
	if row.sourceMissing {
		n.sources++
	}
}
