package sqlbackend

import (
	"context"
	"slices"
	"sync"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// outboxRemedy is the remedy of a missing table of an outbox.
const outboxRemedy = "the outbox makes its tables when missing at its first Bind in each process: start the " +
	"service's instances again to make them empty, or restore them from a backup with the rows they held"

// boundOutboxes names the outboxes whose Bind made their tables. Check
// looks for those tables from then on; before, a missing one is no fault:
// the outbox makes its tables at its first Bind, and refuses to write a
// row until then.
type boundOutboxes struct {
	mu     sync.Mutex
	topics []string
}

// bound records that the outbox of topic made its tables.
func (o *boundOutboxes) bound(topic string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !slices.Contains(o.topics, topic) {
		o.topics = append(o.topics, topic)
	}
}

// tables are the tables of the bound outboxes (outbox.Tables): for each,
// the tables of its rows and of its dead letters, the offsets table of
// each, and its held rows' table.
func (o *boundOutboxes) tables() sqldb.Tables {
	o.mu.Lock()
	defer o.mu.Unlock()
	var names []string
	for _, topic := range o.topics {
		names = append(names, outbox.Tables(topic)...)
	}
	return sqldb.Tables{Names: names, Remedy: outboxRemedy}
}

// checkedOutbox is an outbox that records in boxes, at each Bind that
// succeeds, that its tables are made. It is the outbox otherwise.
type checkedOutbox struct {
	*outbox.Transport
	boxes *boundOutboxes
}

// Bind binds the outbox and, once it succeeded, has Check look for its
// tables, named after b.Service as the outbox's are.
func (c *checkedOutbox) Bind(ctx context.Context, b sourceflow.Binding) error {
	if err := c.Transport.Bind(ctx, b); err != nil {
		return err
	}
	c.boxes.bound(outbox.TopicFor(b.Service))
	return nil
}

var _ cqrs.OutboxTransport = (*checkedOutbox)(nil)
