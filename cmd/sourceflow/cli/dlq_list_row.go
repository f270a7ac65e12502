package cli

import (
	"context"
	"errors"
	"strings"
)

// dlqDepth is one row of dlq list: a dead-letter queue's depth and the
// backlog of its source queue.
type dlqDepth struct {
	pair dlqPair
	dlq  queueDepth
	// source is the source queue's: its visible messages are those ahead
	// (yet to be received), its messages in flight those received and not
	// yet deleted.
	source queueDepth
}

// queueDepth is the approximate depth of a queue, or that it does not
// exist.
type queueDepth struct {
	visible, inFlight int64
	missing           bool
}

// readDLQDepth reads the depth of the dead-letter queue of p and of its
// source queue; a missing queue is marked so in the row, any other error
// is returned.
func readDLQDepth(ctx context.Context, api dlqSQS, p dlqPair) (dlqDepth, error) {
	dlq, err := readQueueDepth(ctx, api, p.dlq)
	if err != nil {
		return dlqDepth{}, err
	}
	source, err := readQueueDepth(ctx, api, p.source)
	if err != nil {
		return dlqDepth{}, err
	}
	return dlqDepth{pair: p, dlq: dlq, source: source}, nil
}

// readQueueDepth reads the depth of queue name; a missing queue is marked
// so, any other error is returned.
func readQueueDepth(ctx context.Context, api dlqSQS, name string) (queueDepth, error) {
	q, err := resolveQueue(ctx, api, name)
	switch {
	case errors.Is(err, errQueueMissing):
		return queueDepth{missing: true}, nil
	case err != nil:
		return queueDepth{}, err
	}
	return queueDepth{visible: q.visible, inFlight: q.inFlight}, nil
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
	if row.dlq.missing {
		n.dlqs++
	}
	if row.source.missing {
		n.sources++
	}
}
