package cqrs_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// outage stands for a database both the handlers and the dead-letter topic
// live in (sqlbus with the SQL stores): while it lasts every handling fails
// and every dead letter is refused; it ends with the refusal that makes
// refusals.
type outage struct {
	on       atomic.Bool
	mu       sync.Mutex
	refused  int
	refusals int
}

func newOutage(refusals int) *outage {
	o := &outage{refusals: refusals}
	o.on.Store(true)
	return o
}

// refuse counts a refused dead letter, ending the outage at the last one.
func (o *outage) refuse() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.refused++
	if o.refused == o.refusals {
		o.on.Store(false)
	}
}

func (o *outage) refusedSoFar() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.refused
}

// outagePublisher publishes to the rig, refusing the dead letters of topic
// "orders" while the outage lasts.
type outagePublisher struct {
	rig    *pubsubRig
	outage *outage
}

func (p outagePublisher) Publish(topic string, msgs ...*message.Message) error {
	if topic == "orders-dlq" && p.outage.on.Load() {
		p.outage.refuse()
		return errors.New("begin: failed to connect: connection refused")
	}
	return p.rig.Publish(topic, msgs...)
}

func (outagePublisher) Close() error { return nil }

// A message whose handler and dead letter both fail while the database is
// down: each refused dead letter nacks it back, and each time it comes
// back its handler runs again, so once the outage ends it is handled
// instead of being dead-lettered unhandled.
func TestPubSubTransportHandlesAMessageWhoseDeadLettersWereRefusedOnceTheOutageEnds(t *testing.T) {
	rig := newPubSubRig(t)
	dlq := rig.deadLetters(t, "orders-dlq")
	down := newOutage(4) // past MaxDeliveries and the delivery more it gets
	db := func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			if down.on.Load() {
				return nil, errors.New("begin: failed to connect: connection refused")
			}
			return h(msg)
		}
	}
	tr, err := cqrs.NewPubSubTransport(cqrs.PubSubConfig{Publisher: outagePublisher{rig, down},
		Subscriber:   func(string, string) (message.Subscriber, error) { return gochannelSubscriber{rig.gc}, nil },
		Capabilities: cqrs.Capabilities{ConsumerGroups: true, Ordered: true}, MaxDeliveries: 2, RedeliveryDelay: time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	app := newOrderApp(t, cqrs.ServiceConfig{Transport: tr,
		Hooks: cqrs.Hooks{CommandSubscribe: []message.HandlerMiddleware{db}}})
	app.start(t)
	// One message: with two, one's handler could fail just before the
	// other's refused dead letter ends the outage, and its own dead letter
	// then be stored, as it should for a message that failed its last
	// delivery.
	orders := []string{"o-1"}
	for _, id := range orders {
		_, err := app.agg.Send(context.Background(), id, CreateOrder{Amount: 1})
		require.NoError(t, err)
	}
	paid := func() bool {
		for _, id := range orders {
			if s, ok, err := app.view.Get(context.Background(), id); err != nil || !ok || !s.Paid {
				return false
			}
		}
		return true
	}
	eventually(t, func() bool { return paid() || len(dlq.all()) > 0 }, "the orders are paid or dead-lettered")
	require.Empty(t, dlq.all(), "a message was dead-lettered though its handler would now succeed")
	eventually(t, paid, "every order is created and paid once the outage ends")
	assert.Equal(t, 4, down.refusedSoFar(), "dead letters were refused until the outage ended")
}
