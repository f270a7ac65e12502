package cqrs_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A service listening to an event destination receives every type raised
// there. On awsbus its queue's filter policy keeps out the types no version
// of it handles; these tests say what the transports without filter
// policies do with such a type: "billing" handles filter.Placed on
// "orders-events", where "orders" also raises filter.Shipped.

type filterPlaced struct {
	ID string `json:"id"`
}

type filterShipped struct {
	ID string `json:"id"`
}

const filterDest = "orders-events"

// filterSender returns the started "orders" service raising both types.
func filterSender(t *testing.T, tr cqrs.Transport) *cqrs.Service {
	t.Helper()
	svc := newService(t, tr, "orders")
	require.NoError(t, cqrs.RegisterEvent[filterPlaced](svc, "filter.Placed", filterDest))
	require.NoError(t, cqrs.RegisterEvent[filterShipped](svc, "filter.Shipped", filterDest))
	start(t, svc)
	return svc
}

// filterConsumer starts "billing", which handles filter.Placed on the
// destination, counting it, and registers filter.Shipped without a handler
// when knowsShipped.
func filterConsumer(t *testing.T, tr cqrs.Transport, knowsShipped bool) *atomic.Int64 {
	t.Helper()
	svc, placed := filterBilling(t, tr, knowsShipped)
	start(t, svc)
	return placed
}

// filterBilling returns "billing" as filterConsumer starts it.
func filterBilling(t *testing.T, tr cqrs.Transport, knowsShipped bool) (*cqrs.Service, *atomic.Int64) {
	t.Helper()
	svc := newService(t, tr, "billing", filterDest)
	require.NoError(t, cqrs.RegisterEvent[filterPlaced](svc, "filter.Placed", filterDest))
	if knowsShipped {
		require.NoError(t, cqrs.RegisterEvent[filterShipped](svc, "filter.Shipped", filterDest))
	}
	var placed atomic.Int64
	require.NoError(t, cqrs.React(cqrs.NewAggregate(svc, "bill"), func(context.Context, *cqrs.Aggregate, filterPlaced, cqrs.Envelope) error {
		placed.Add(1)
		return nil
	}))
	return svc, &placed
}

// filterCases are the two ways billing does not handle filter.Shipped.
var filterCases = []struct {
	name         string
	knowsShipped bool
}{{"type not registered", false}, {"type registered without a handler", true}}

// On the ChannelTransport, an event of a type the consumer does not handle
// is not dead-lettered at the consumer, and what follows it is handled.
func TestFilterChannelTransportLeavesAnUnhandledEventTypeAlone(t *testing.T) {
	for _, tc := range filterCases {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTransport(t)
			placed := filterConsumer(t, tr, tc.knowsShipped)
			q := filterSender(t, tr).EventQueue()
			_, err := q.Raise(context.Background(), "o-1", filterShipped{ID: "o-1"})
			require.NoError(t, err)
			_, err = q.Raise(context.Background(), "o-1", filterPlaced{ID: "o-1"})
			require.NoError(t, err)

			assert.Equal(t, int64(1), placed.Load(), "billing handled filter.Placed")
			assert.Positive(t, tr.FilteredByDestination()[filterDest], "filter.Shipped dropped")
			for _, dl := range tr.DeadLetters() {
				assert.NotEqual(t, "filter.Shipped", dl.Message.Metadata.Get(sourceflow.MetaType),
					"filter.Shipped dead-lettered at %s: %s", dl.Destination, dl.Reason)
			}
		})
	}
}

// On a PubSubTransport (one consumer group per service) with an event type
// filter store (PubSubConfig.TypeFilter), an event of a type the consumer
// does not handle is not dead-lettered, and what follows it is handled.
func TestFilterPubSubTransportLeavesAnUnhandledEventTypeAlone(t *testing.T) {
	for _, tc := range filterCases {
		t.Run(tc.name, func(t *testing.T) {
			rig := newPubSubRig(t)
			dead := &filterTypes{}
			store := cqrs.NewMemoryTypeFilter()
			consumer := filterPubSub(t, rig, dead, store)
			placed := filterConsumer(t, consumer, tc.knowsShipped)
			q := filterSender(t, filterPubSub(t, rig, &filterTypes{}, store)).EventQueue()
			_, err := q.Raise(context.Background(), "o-1", filterShipped{ID: "o-1"})
			require.NoError(t, err)
			_, err = q.Raise(context.Background(), "o-1", filterPlaced{ID: "o-1"})
			require.NoError(t, err)

			// The Pub/Sub may hand billing the two events in either order
			// (gochannel does): wait for both to be settled.
			require.EventuallyWithT(t, func(c *assert.CollectT) {
				assert.Equal(c, int64(1), placed.Load(), "billing handled filter.Placed")
				assert.Positive(c, consumer.FilteredByDestination()[filterDest], "filter.Shipped dropped")
			}, 10*time.Second, 5*time.Millisecond)
			assert.NotContains(t, dead.all(), "filter.Shipped", "filter.Shipped dead-lettered")
		})
	}
}

// filterPubSub returns a PubSubTransport on rig whose publisher records in
// dead the types of what it publishes to a dead-letter topic, keeping its
// event type filters in store (none if nil). It does not declare order:
// gochannel hands each message over from a goroutine of its own.
func filterPubSub(t *testing.T, rig *pubsubRig, dead *filterTypes, store cqrs.TypeFilterStore) *cqrs.PubSubTransport {
	t.Helper()
	tr, err := cqrs.NewPubSubTransport(cqrs.PubSubConfig{
		Publisher:       filterPublisher{rig: rig, dead: dead},
		Subscriber:      func(string, string) (message.Subscriber, error) { return gochannelSubscriber{rig.gc}, nil },
		Capabilities:    cqrs.Capabilities{ConsumerGroups: true},
		RedeliveryDelay: 1,
		TypeFilter:      store,
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	return tr
}

// filterTypes records message types, and the reasons of dead letters.
type filterTypes struct {
	mu      sync.Mutex
	types   []string
	reasons []string
}

func (f *filterTypes) allReasons() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.reasons...)
}

func (f *filterTypes) all() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.types...)
}

// filterPublisher publishes through rig, recording in dead the type of each
// message published to a dead-letter topic before it is published.
type filterPublisher struct {
	rig  *pubsubRig
	dead *filterTypes
}

func (p filterPublisher) Publish(topic string, msgs ...*message.Message) error {
	if topic == filterDest+"-dlq" {
		p.dead.mu.Lock()
		for _, m := range msgs {
			p.dead.types = append(p.dead.types, m.Metadata.Get(sourceflow.MetaType))
			p.dead.reasons = append(p.dead.reasons, m.Metadata.Get(sourceflow.MetaFailure))
		}
		p.dead.mu.Unlock()
	}
	return p.rig.Publish(topic, msgs...)
}

func (filterPublisher) Close() error { return nil }
