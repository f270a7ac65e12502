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

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// takingBackSubscriber delivers one message on topic "orders" until it is
// acked: again after each nack, and again after its context ends, as a
// Pub/Sub with an ack deadline takes a message back and delivers it anew.
type takingBackSubscriber struct {
	proto      *message.Message
	deliveries atomic.Int32
	mu         sync.Mutex
	cancel     context.CancelFunc // ends the context of the delivery in flight
}

func (s *takingBackSubscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	ch := make(chan *message.Message)
	if topic != "orders" {
		go func() { <-ctx.Done(); close(ch) }()
		return ch, nil
	}
	go func() {
		defer close(ch)
		for s.deliverOnce(ctx, ch) {
		}
	}()
	return ch, nil
}

// deliverOnce delivers a copy of the message and reports whether to deliver
// it again.
func (s *takingBackSubscriber) deliverOnce(ctx context.Context, ch chan<- *message.Message) bool {
	m := s.proto.Copy()
	mctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m.SetContext(mctx)
	s.mu.Lock()
	s.cancel = cancel
	s.mu.Unlock()
	s.deliveries.Add(1)
	select {
	case ch <- m:
	case <-ctx.Done():
		return false
	}
	select {
	case <-m.Acked():
		return false
	case <-m.Nacked():
	case <-mctx.Done():
	case <-ctx.Done():
		return false
	}
	return true
}

// deadline ends the context of the delivery in flight: its ack deadline
// passed.
func (s *takingBackSubscriber) deadline() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cancel()
}

func (*takingBackSubscriber) Close() error { return nil }

// A handler that fails only after the Pub/Sub's ack deadline passed: the
// Pub/Sub takes the message back and delivers it again, and the deliveries
// it had go on counting, so it is dead-lettered after MaxDeliveries in all
// instead of being delivered without end.
func TestPubSubTransportCountsTheDeliveriesOfAMessageThePubSubTookBack(t *testing.T) {
	rig := newPubSubRig(t)
	dlq := rig.deadLetters(t, "orders-dlq")
	sub := &takingBackSubscriber{proto: rawCommandID("slow", "orders.CreateOrder", "o-1", `{"amount":1}`)}
	var calls atomic.Int32
	gate := func(message.HandlerFunc) message.HandlerFunc {
		return func(*message.Message) ([]*message.Message, error) {
			if calls.Add(1)%2 == 0 {
				sub.deadline() // every second delivery outlasts the ack deadline
			}
			return nil, errors.New("downstream timed out")
		}
	}
	app := startOnTakingBack(t, rig, sub, gate)
	eventually(t, func() bool { return len(dlq.all()) == 1 }, "the message is dead-lettered after its third delivery")
	require.NoError(t, app.svc.Close())
	dead := dlq.all()[0]
	assert.Contains(t, dead.Metadata.Get(sourceflow.MetaFailure), "failed 3 deliveries")
	assert.Contains(t, dead.Metadata.Get(sourceflow.MetaFailure), "downstream timed out")
	assert.EqualValues(t, 3, calls.Load(), "three deliveries in all, two before the Pub/Sub took it back")
	assert.EqualValues(t, 2, sub.deliveries.Load(), "the Pub/Sub delivered it twice, and it was acked after the second")
}

// A handler that fails only after the Pub/Sub's ack deadline on every
// delivery: each delivery is taken back, so none of its failures is seen
// in time. After MaxDeliveries and the one more a message past it gets, the
// next delivery from the Pub/Sub dead-letters it without running the
// handler again, instead of delivering it without end.
func TestPubSubTransportDeadLettersAMessageThePubSubTakesBackOnEveryDelivery(t *testing.T) {
	rig := newPubSubRig(t)
	dlq := rig.deadLetters(t, "orders-dlq")
	sub := &takingBackSubscriber{proto: rawCommandID("slower", "orders.CreateOrder", "o-1", `{"amount":1}`)}
	var calls atomic.Int32
	gate := func(message.HandlerFunc) message.HandlerFunc {
		return func(*message.Message) ([]*message.Message, error) {
			calls.Add(1)
			sub.deadline() // every delivery outlasts the ack deadline
			return nil, errors.New("downstream timed out")
		}
	}
	app := startOnTakingBack(t, rig, sub, gate)
	eventually(t, func() bool { return len(dlq.all()) == 1 }, "the message is dead-lettered")
	require.NoError(t, app.svc.Close())
	assert.Contains(t, dlq.all()[0].Metadata.Get(sourceflow.MetaFailure), "failed 4 deliveries")
	assert.EqualValues(t, 4, calls.Load(), "MaxDeliveries deliveries and one more")
}

// startOnTakingBack starts the order app on a PubSubTransport over rig that
// consumes from sub, with MaxDeliveries 3 and gate in front of its
// handlers.
func startOnTakingBack(t *testing.T, rig *pubsubRig, sub *takingBackSubscriber, gate message.HandlerMiddleware) *orderApp {
	t.Helper()
	tr, err := cqrs.NewPubSubTransport(cqrs.PubSubConfig{Publisher: rig,
		Subscriber:   func(string, string) (message.Subscriber, error) { return sub, nil },
		Capabilities: cqrs.Capabilities{ConsumerGroups: true}, MaxDeliveries: 3, RedeliveryDelay: time.Millisecond})
	require.NoError(t, err)
	app := newOrderApp(t, cqrs.ServiceConfig{Transport: tr,
		Hooks: cqrs.Hooks{CommandSubscribe: []message.HandlerMiddleware{gate}}})
	require.NoError(t, app.svc.Start(context.Background()))
	return app
}
