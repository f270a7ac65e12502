package cqrs_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// handOverSubscriber hands its messages over, one at a time, in contexts
// derived from the subscription's, as watermill-sql and watermill-aws do,
// then waits for the subscription to end. Like them, it commits the acks
// with the subscription's context when it is closed, so it records whether
// that context was still live then.
type handOverSubscriber struct {
	msgs        []*message.Message
	ctx         context.Context
	liveAtClose bool
}

func (s *handOverSubscriber) Subscribe(ctx context.Context, _ string) (<-chan *message.Message, error) {
	s.ctx = ctx
	out := make(chan *message.Message)
	go func() {
		defer close(out)
		for _, m := range s.msgs {
			m.SetContext(ctx)
			select {
			case out <- m:
			case <-ctx.Done():
				return
			}
			select {
			case <-m.Acked():
			case <-m.Nacked():
			case <-ctx.Done():
				return
			}
		}
		<-ctx.Done()
	}()
	return out, nil
}

func (s *handOverSubscriber) Close() error {
	s.liveAtClose = s.ctx != nil && s.ctx.Err() == nil
	return nil
}

// handOverTransport is a PubSubTransport bound to service "svc" listening
// to "cmds" on inner, dead-lettering into rig.
func handOverTransport(t *testing.T, rig *pubsubRig, inner message.Subscriber, cfg cqrs.PubSubConfig) message.Subscriber {
	t.Helper()
	cfg.Publisher = rig
	cfg.Subscriber = func(string, string) (message.Subscriber, error) { return inner, nil }
	cfg.Capabilities = cqrs.Capabilities{ConsumerGroups: true}
	tr, err := cqrs.NewPubSubTransport(cfg)
	require.NoError(t, err)
	require.NoError(t, tr.Bind(context.Background(), sourceflow.Binding{Service: "svc",
		Listeners: []sourceflow.Listener{{Destination: "cmds", Kind: sourceflow.KindCommand}}}))
	sub, err := tr.Subscriber("cmds")
	require.NoError(t, err)
	return sub
}

func waitClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatal(what)
	}
}

// Ending a subscription drains it: the delivery in flight keeps its
// context, its ack reaches the Pub/Sub, and no further message is taken.
func TestPubSubSubscriptionDrainsTheDeliveryInFlight(t *testing.T) {
	first, second := message.NewMessage("m1", nil), message.NewMessage("m2", nil)
	inner := &handOverSubscriber{msgs: []*message.Message{first, second}}
	sub := handOverTransport(t, newPubSubRig(t), inner, cqrs.PubSubConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	out, err := sub.Subscribe(ctx, "cmds")
	require.NoError(t, err)
	m := <-out
	cancel()
	require.NoError(t, m.Context().Err(), "the handler of the delivery in flight keeps its context")
	m.Ack()
	waitClosed(t, first.Acked(), "the ack of the delivery in flight reaches the Pub/Sub")
	for m := range out {
		t.Errorf("message %s taken after the subscription ended", m.UUID)
	}
	require.NoError(t, sub.Close())
	assert.True(t, inner.liveAtClose, "the inner subscription's context outlives its Close, so the ack is committed")
	select {
	case <-second.Acked():
		t.Error("the message not taken is not acknowledged")
	default:
	}
}

// A delivery that fails while the subscription drains goes back to the
// Pub/Sub at once, without the in-process redeliveries.
func TestPubSubDrainHandsAFailureBack(t *testing.T) {
	orig := message.NewMessage("m1", nil)
	sub := handOverTransport(t, newPubSubRig(t), &handOverSubscriber{msgs: []*message.Message{orig}},
		cqrs.PubSubConfig{RedeliveryDelay: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	out, err := sub.Subscribe(ctx, "cmds")
	require.NoError(t, err)
	m := <-out
	cancel()
	m.Nack()
	waitClosed(t, orig.Nacked(), "the failed delivery goes back to the Pub/Sub without waiting an hour")
	for m := range out {
		t.Errorf("message %s delivered again while draining", m.UUID)
	}
	require.NoError(t, sub.Close())
}

// A message whose handler keeps finding it held elsewhere
// (sourceflow.ErrInProgress) goes back to the Pub/Sub after its last
// delivery; it is not dead-lettered.
func TestPubSubHandsBackAMessageHeldElsewhere(t *testing.T) {
	rig := newPubSubRig(t)
	dead, err := rig.gc.Subscribe(context.Background(), "cmds-dlq")
	require.NoError(t, err)
	orig := message.NewMessage("m1", nil)
	sub := handOverTransport(t, rig, &handOverSubscriber{msgs: []*message.Message{orig}},
		cqrs.PubSubConfig{MaxDeliveries: 3, RedeliveryDelay: time.Millisecond})
	out, err := sub.Subscribe(context.Background(), "cmds")
	require.NoError(t, err)
	for range 3 {
		m := <-out
		m.Metadata.Set(sourceflow.MetaLastError, "idempotency: held")
		m.Metadata.Set(sourceflow.MetaInProgress, "true")
		m.Nack()
	}
	waitClosed(t, orig.Nacked(), "the message goes back to the Pub/Sub")
	require.NoError(t, sub.Close())
	select {
	case m := <-dead:
		t.Errorf("message dead-lettered: %s", m.Metadata.Get(sourceflow.MetaFailure))
	default:
	}
}

// Pauses between in-process deliveries double, at most 10s each.
func TestRedeliveryPausesDouble(t *testing.T) {
	assert.Equal(t, time.Duration(0), cqrs.RedeliveryPauses(1, time.Second))
	assert.Equal(t, 12700*time.Millisecond, cqrs.RedeliveryPauses(cqrs.DefaultMaxDeliveries, cqrs.DefaultRedeliveryDelay))
	assert.Equal(t, 15*time.Second, cqrs.RedeliveryPauses(5, time.Second))
	assert.Equal(t, (1+2+4+8+10*3)*time.Second, cqrs.RedeliveryPauses(8, time.Second), "each pause at most 10s")
	assert.Equal(t, 2*time.Minute, cqrs.RedeliveryPauses(3, time.Minute), "a first pause above the cap is kept")
}

// A handler failing with sourceflow.ErrInProgress (the idempotency
// middleware's answer while another consumer holds the message) is marked
// so, and the message goes back to the Pub/Sub.
func TestServiceHandsBackAMessageItsHandlerFindsHeldElsewhere(t *testing.T) {
	type Pay struct{ N int }
	type State struct{}
	orig := message.NewMessage("m1", []byte(`{"N":1}`))
	cqrs.Envelope{Type: "t.Pay", MessageID: "m1", EntityID: "e1", Sequence: 1, OccurredAt: time.Now()}.WriteTo(orig)
	rig := newPubSubRig(t)
	tr, err := cqrs.NewPubSubTransport(cqrs.PubSubConfig{Publisher: rig, MaxDeliveries: 2, RedeliveryDelay: time.Millisecond,
		Subscriber: func(string, string) (message.Subscriber, error) {
			return &handOverSubscriber{msgs: []*message.Message{orig}}, nil
		},
		Capabilities: cqrs.Capabilities{ConsumerGroups: true}})
	require.NoError(t, err)
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "svc", Transport: tr, Listen: []string{"cmds"}})
	require.NoError(t, err)
	require.NoError(t, cqrs.RegisterCommand[Pay](svc, "t.Pay", "cmds"))
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[State](svc, "s"), func(context.Context, *State, Pay, cqrs.Envelope) ([]any, error) {
		return nil, fmt.Errorf("claim m1: %w", sourceflow.ErrInProgress)
	}))
	require.NoError(t, svc.Start(context.Background()))
	t.Cleanup(func() { assert.NoError(t, svc.Close()) })
	waitClosed(t, orig.Nacked(), "the message goes back to the Pub/Sub")
}

// A subscription whose context ends without Close still ends its inner
// subscription once its deliveries settled (after a short grace), so it
// does not hold the Pub/Sub's batch or locks for good.
func TestPubSubSubscriptionEndsItsInnerSubscriptionWithoutClose(t *testing.T) {
	orig := message.NewMessage("m1", nil)
	inner := &handOverSubscriber{msgs: []*message.Message{orig}}
	sub := handOverTransport(t, newPubSubRig(t), inner, cqrs.PubSubConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	out, err := sub.Subscribe(ctx, "cmds")
	require.NoError(t, err)
	m := <-out
	m.Ack()
	waitClosed(t, orig.Acked(), "the ack reaches the Pub/Sub")
	cancel()
	for range out {
	}
	waitClosed(t, inner.ctx.Done(), "the inner subscription ends without Close")
	require.NoError(t, sub.Close())
}
