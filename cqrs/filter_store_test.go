package cqrs_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// failingFilter is a TypeFilterStore whose Widen, or Types, fails.
type failingFilter struct {
	*cqrs.MemoryTypeFilter
	widenErr, typesErr error
}

func (f failingFilter) Widen(ctx context.Context, topic, group string, types []string) error {
	if f.widenErr != nil {
		return f.widenErr
	}
	return f.MemoryTypeFilter.Widen(ctx, topic, group, types)
}

func (f failingFilter) Types(ctx context.Context, topic, group string) ([]string, error) {
	if f.typesErr != nil {
		return nil, f.typesErr
	}
	return f.MemoryTypeFilter.Types(ctx, topic, group)
}

// A store failure while widening the event type filter fails Start, naming
// the consumer group, the topic and the failure.
func TestFilterStoreFailingToWidenFailsStart(t *testing.T) {
	rig := newPubSubRig(t)
	store := failingFilter{MemoryTypeFilter: cqrs.NewMemoryTypeFilter(), widenErr: errors.New("database down")}
	svc, _ := filterBilling(t, filterPubSub(t, rig, &filterTypes{}, store), false)

	err := svc.Start(context.Background())
	require.Error(t, err)
	assert.ErrorContains(t, err, `widen the event type filter of consumer group "billing" on "orders-events"`)
	assert.ErrorContains(t, err, "database down")
}

// raiseShippedThenPlaced has "orders", on its own transport over rig with
// store, raise filter.Shipped and then filter.Placed.
func raiseShippedThenPlaced(t *testing.T, rig *pubsubRig, store cqrs.TypeFilterStore) {
	t.Helper()
	q := filterSender(t, filterPubSub(t, rig, &filterTypes{}, store)).EventQueue()
	_, err := q.Raise(context.Background(), "o-1", filterShipped{ID: "o-1"})
	require.NoError(t, err)
	_, err = q.Raise(context.Background(), "o-1", filterPlaced{ID: "o-1"})
	require.NoError(t, err)
}

// settledBoth waits until billing handled filter.Placed and filter.Shipped
// was dead-lettered: the Pub/Sub may hand billing the two events in either
// order (gochannel does), so neither waits for the other.
func settledBoth(t *testing.T, placed *atomic.Int64, dead *filterTypes, msg string) {
	t.Helper()
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.Equal(c, int64(1), placed.Load(), "billing handled filter.Placed")
		assert.Contains(c, dead.all(), "filter.Shipped", msg)
	}, 10*time.Second, 5*time.Millisecond)
}

// An event of a type the consumer does not handle whose filter cannot be
// read is kept: retried and, on its last delivery, dead-lettered with a
// reason naming the failure; never dropped.
func TestFilterStoreFailingToReadKeepsTheEvent(t *testing.T) {
	rig := newPubSubRig(t)
	dead := &filterTypes{}
	store := failingFilter{MemoryTypeFilter: cqrs.NewMemoryTypeFilter(), typesErr: errors.New("database down")}
	consumer := filterPubSub(t, rig, dead, store)
	placed := filterConsumer(t, consumer, false)
	raiseShippedThenPlaced(t, rig, store)

	settledBoth(t, placed, dead, "filter.Shipped dead-lettered")
	require.NotEmpty(t, dead.allReasons())
	assert.Contains(t, dead.allReasons()[0], `unknown message type: "filter.Shipped"`)
	assert.Contains(t, dead.allReasons()[0], `the event type filter of consumer group "billing" could not be read, so the event is kept: database down`)
	assert.Empty(t, consumer.FilteredByDestination(), "nothing dropped")
}

// An event of a type in the consumer group's filter, which a newer version
// of the service handles (its Start widened the filter), is retried, for
// the newer version's instances to take during a rolling deploy, and
// dead-lettered on its last delivery when none did; never dropped.
func TestFilterKeepsATypeANewerVersionHandles(t *testing.T) {
	rig := newPubSubRig(t)
	dead := &filterTypes{}
	store := cqrs.NewMemoryTypeFilter()
	require.NoError(t, store.Widen(context.Background(), filterDest, "billing", []string{"filter.Shipped"}))
	consumer := filterPubSub(t, rig, dead, store)
	placed := filterConsumer(t, consumer, false)
	raiseShippedThenPlaced(t, rig, store)

	settledBoth(t, placed, dead, "filter.Shipped retried, then dead-lettered")
	assert.Empty(t, consumer.FilteredByDestination(), "nothing dropped")
	types, err := store.Types(context.Background(), filterDest, "billing")
	require.NoError(t, err)
	assert.Equal(t, []string{"filter.Placed", "filter.Shipped"}, types, "the filter is widened, never narrowed")
}
