package dynamostore_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
)

// routeless is an innerTransport without a publisher for the destination
// missing names: an instance of a version that does not know it.
type routeless struct {
	*innerTransport
	mu      sync.Mutex
	missing string
}

func (r *routeless) Publisher(destination string) (message.Publisher, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if destination == r.missing {
		return nil, errors.New("no route to " + destination)
	}
	return r.innerTransport.Publisher(destination)
}

func (r *routeless) setMissing(destination string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.missing = destination
}

// A message whose destination has no publisher (a transient failure, for
// the grace of a rolling deploy) holds the messages behind it for that
// destination only: those of its shard for another destination go out, in
// order, and the held ones go out in order once the destination has a
// publisher.
func TestOutboxSweepHoldsOnlyTheDestinationThatFails(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	writer := &innerTransport{down: true} // an instance that knows the route, whose relay fails
	w := newOutbox(t, st, writer)
	require.NoError(t, st.WithinTx(ctx, func(ctx context.Context) error { // one transaction: one shard
		return errors.Join(publishIn(ctx, t, w, "new-route", "r-1"), publishIn(ctx, t, w, "events", "e-1"),
			publishIn(ctx, t, w, "new-route", "r-2"), publishIn(ctx, t, w, "events", "e-2"))
	}), "the relay after commit fails and leaves the four messages to the sweep")
	inner := &routeless{innerTransport: &innerTransport{}, missing: "new-route"}
	o := newOutbox(t, st, inner)

	var sweepErr error
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		_, sweepErr = o.Sweep(ctx)
		assert.Len(c, inner.uuids("events"), 2)
	}, 20*time.Second, 100*time.Millisecond, "the sweep relays e-1 and e-2 once older than RelayAfter")
	assert.Equal(t, []string{"e-1", "e-2"}, inner.uuids("events"), "in the order they were written")
	require.Error(t, sweepErr)
	assert.Contains(t, sweepErr.Error(), `no publisher for destination "new-route"`)
	dead, err := o.DeadLetters(ctx, dynamostore.OutboxDeadLetterQuery{Max: 10})
	require.NoError(t, err)
	assert.Empty(t, dead, "within the grace r-1 is released, not dead-lettered")

	inner.setMissing("") // an instance that knows the route
	n, err := o.Sweep(ctx)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Equal(t, []string{"r-1", "r-2"}, inner.uuids("new-route"), "r-2 waited behind r-1")
	assert.Equal(t, []string{"e-1", "e-2"}, inner.uuids("events"), "nothing sent twice")
}
