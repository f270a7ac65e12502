package cqrs_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// In these tests one gochannel Pub/Sub stands in for a Pub/Sub with
// consumer groups: each service subscribes once per topic, so every group
// (service) receives every message, and gochannel hands a subscriber its
// messages one at a time.

// pubsubRig is a gochannel Pub/Sub that can refuse the publishes to chosen
// topics, and messages over a size limit, and a PubSubTransport factory on
// it.
type pubsubRig struct {
	gc     *gochannel.GoChannel
	mu     sync.Mutex
	refuse map[string]bool
	// limit, when positive, refuses for good a publish holding a message
	// over it, counting its payload and each metadata key and value, as
	// SNS refuses one too long.
	limit int
}

func newPubSubRig(t *testing.T) *pubsubRig {
	gc := gochannel.NewGoChannel(gochannel.Config{OutputChannelBuffer: 64, Persistent: true}, watermill.NopLogger{})
	t.Cleanup(func() { _ = gc.Close() })
	return &pubsubRig{gc: gc, refuse: map[string]bool{}}
}

func (r *pubsubRig) Publish(topic string, msgs ...*message.Message) error {
	r.mu.Lock()
	refused, limit := r.refuse[topic], r.limit
	r.mu.Unlock()
	if refused {
		return fmt.Errorf("publish to %s refused", topic)
	}
	for _, m := range msgs {
		if limit > 0 && rigBytes(m) > limit {
			return sourceflow.Permanent(fmt.Errorf("publish to %s: InvalidParameter: message %s too long: %d bytes", topic, m.UUID, rigBytes(m)))
		}
	}
	return r.gc.Publish(topic, msgs...)
}

func (r *pubsubRig) Close() error { return nil }

// rigBytes is the size of m as the rig's limit counts it: its payload plus
// the bytes of each metadata key and value.
func rigBytes(m *message.Message) int {
	n := len(m.Payload)
	for k, v := range m.Metadata {
		n += len(k) + len(v)
	}
	return n
}

func (r *pubsubRig) setRefused(topic string, refused bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.refuse[topic] = refused
}

func (r *pubsubRig) transport(t *testing.T, cfg cqrs.PubSubConfig) *cqrs.PubSubTransport {
	t.Helper()
	cfg.Publisher = r
	if cfg.Subscriber == nil {
		cfg.Subscriber = func(string, string) (message.Subscriber, error) { return gochannelSubscriber{r.gc}, nil }
	}
	if cfg.Capabilities == (cqrs.Capabilities{}) {
		cfg.Capabilities = cqrs.Capabilities{ConsumerGroups: true, Ordered: true}
	}
	if cfg.RedeliveryDelay == 0 {
		cfg.RedeliveryDelay = time.Millisecond
	}
	tr, err := cqrs.NewPubSubTransport(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	return tr
}

// gochannelSubscriber shares the rig's gochannel; closing it leaves the
// gochannel open for the other services.
type gochannelSubscriber struct{ gc *gochannel.GoChannel }

func (s gochannelSubscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	return s.gc.Subscribe(ctx, topic)
}

func (gochannelSubscriber) Close() error { return nil }

// deadLetters subscribes to topic on the rig and returns what arrives there.
func (r *pubsubRig) deadLetters(t *testing.T, topic string) *recorder[*message.Message] {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ch, err := r.gc.Subscribe(ctx, topic)
	require.NoError(t, err)
	var got recorder[*message.Message]
	go func() {
		for m := range ch {
			got.add(m)
			m.Ack()
		}
	}()
	return &got
}

func TestPubSubTransportRunsTheOrderFlow(t *testing.T) {
	rig := newPubSubRig(t)
	app := newOrderApp(t, cqrs.ServiceConfig{Transport: rig.transport(t, cqrs.PubSubConfig{
		Topic: func(d string) string { return "sf." + d },
	})})
	app.start(t)
	_, err := app.agg.Send(context.Background(), "o-1", CreateOrder{Customer: "ann", Amount: 7})
	require.NoError(t, err)
	eventually(t, func() bool {
		s, ok, err := app.view.Get(context.Background(), "o-1")
		return err == nil && ok && s.Paid && s.Amount == 7
	}, "the order is created, paid and projected")
}

func TestPubSubTransportDeadLettersWithTheReasonAndOthersFlow(t *testing.T) {
	rig := newPubSubRig(t)
	dlq := rig.deadLetters(t, "orders-dlq")
	app := newOrderApp(t, cqrs.ServiceConfig{Transport: rig.transport(t, cqrs.PubSubConfig{MaxDeliveries: 3})})
	app.start(t)
	require.NoError(t, rig.Publish("orders", rawCommandID("poison", "orders.Unheard", "o-9", `{}`)))
	require.NoError(t, rig.Publish("orders", message.NewMessage("bare", []byte(`not a SourceFlow message`))))
	_, err := app.agg.Send(context.Background(), "o-1", CreateOrder{Customer: "ann", Amount: 7})
	require.NoError(t, err)

	eventually(t, func() bool {
		s, ok, err := app.view.Get(context.Background(), "o-1")
		return err == nil && ok && s.Paid
	}, "the good order flows")
	eventually(t, func() bool { return len(dlq.all()) == 2 }, "both bad messages are dead-lettered")
	reasons := map[string]string{}
	for _, m := range dlq.all() {
		reasons[m.UUID] = m.Metadata.Get(sourceflow.MetaFailure)
	}
	assert.Contains(t, reasons["poison"], "unknown message type")
	assert.Contains(t, reasons["bare"], "envelope")
}

func TestPubSubTransportRedeliversThenDeadLettersWithTheLastError(t *testing.T) {
	rig := newPubSubRig(t)
	dlq := rig.deadLetters(t, "orders-dlq")
	var attempts recorder[string]
	app := newOrderApp(t, cqrs.ServiceConfig{
		Transport: rig.transport(t, cqrs.PubSubConfig{MaxDeliveries: 3}),
		Hooks:     cqrs.Hooks{CommandSubscribe: []message.HandlerMiddleware{failing(&attempts, "o-bad")}},
	})
	app.start(t)
	for _, id := range []string{"o-bad", "o-good"} {
		_, err := app.agg.Send(context.Background(), id, CreateOrder{Amount: 1})
		require.NoError(t, err)
	}
	eventually(t, func() bool {
		s, ok, err := app.view.Get(context.Background(), "o-good")
		return err == nil && ok && s.Paid
	}, "the good order flows")
	eventually(t, func() bool { return len(dlq.all()) == 1 }, "the failing command is dead-lettered")
	assert.Equal(t, "failed 3 deliveries; last error: handler of o-bad is down", dlq.all()[0].Metadata.Get(sourceflow.MetaFailure))
	assert.Len(t, attempts.all(), 3, "delivered MaxDeliveries times")
}

// failing is a command-subscribe hook that fails every command for entity.
func failing(attempts *recorder[string], entity string) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			if msg.Metadata.Get(sourceflow.MetaEntityID) == entity {
				attempts.add(msg.UUID)
				return nil, fmt.Errorf("handler of %s is down", entity)
			}
			return h(msg)
		}
	}
}

func TestPubSubTransportKeepsAMessageWhoseDeadLetterCannotBePublished(t *testing.T) {
	rig := newPubSubRig(t)
	rig.setRefused("orders-dlq", true)
	dlq := rig.deadLetters(t, "orders-dlq")
	app := newOrderApp(t, cqrs.ServiceConfig{Transport: rig.transport(t, cqrs.PubSubConfig{MaxDeliveries: 1})})
	app.start(t)
	require.NoError(t, rig.Publish("orders", rawCommandID("poison", "orders.Unheard", "o-9", `{}`)))
	_, err := app.agg.Send(context.Background(), "o-1", CreateOrder{Amount: 1})
	require.NoError(t, err)
	eventually(t, func() bool {
		s, ok, err := app.view.Get(context.Background(), "o-1")
		return err == nil && ok && s.Paid
	}, "other messages flow")
	assert.Empty(t, dlq.all())

	rig.setRefused("orders-dlq", false)
	eventually(t, func() bool { return len(dlq.all()) >= 1 }, "the kept message is dead-lettered once the topic takes it")
	assert.Equal(t, "poison", dlq.all()[0].UUID)
}

func TestPubSubTransportRefusesRoutingItsPubSubCannotCarry(t *testing.T) {
	rig := newPubSubRig(t)
	b := sourceflow.Binding{Service: "orders",
		Routes:    []sourceflow.Route{{Type: "orders.CreateOrder", Kind: sourceflow.KindCommand, Destination: "orders.fifo"}},
		Listeners: []sourceflow.Listener{{Destination: "orders.fifo", Kind: sourceflow.KindCommand}}}

	err := rig.transport(t, cqrs.PubSubConfig{Capabilities: cqrs.Capabilities{ConsumerGroups: true}}).Bind(context.Background(), b)
	require.ErrorIs(t, err, cqrs.ErrCapability)
	assert.ErrorContains(t, err, `"orders.fifo" claims per-entity order`)
	assert.ErrorContains(t, err, "Capabilities.Ordered")

	err = rig.transport(t, cqrs.PubSubConfig{Capabilities: cqrs.Capabilities{Ordered: true}}).Bind(context.Background(), b)
	require.ErrorIs(t, err, cqrs.ErrCapability)
	assert.ErrorContains(t, err, `service "orders" listens to "orders.fifo"`)
	assert.ErrorContains(t, err, "Capabilities.ConsumerGroups")
	assert.ErrorContains(t, err, "every instance would receive every command")

	events := sourceflow.Binding{Service: "orders", Listeners: []sourceflow.Listener{{Destination: "order-events", Kind: sourceflow.KindEvent}}}
	err = rig.transport(t, cqrs.PubSubConfig{Capabilities: cqrs.Capabilities{Ordered: true}}).Bind(context.Background(), events)
	require.ErrorIs(t, err, cqrs.ErrCapability)
	assert.ErrorContains(t, err, "every instance would receive every event")

	tr := rig.transport(t, cqrs.PubSubConfig{})
	_, err = tr.Publisher("orders.fifo")
	require.ErrorIs(t, err, cqrs.ErrNotBound)
	require.NoError(t, tr.Bind(context.Background(), b))
	err = tr.Bind(context.Background(), sourceflow.Binding{Service: "payments"})
	assert.ErrorContains(t, err, `bound to service "orders" and cannot serve "payments"`)
}

func TestPubSubConfigValidate(t *testing.T) {
	_, err := cqrs.NewPubSubTransport(cqrs.PubSubConfig{MaxDeliveries: -1, RedeliveryDelay: -1, MaxMessageBytes: -1})
	for _, want := range []string{"Publisher is required", "Subscriber is required", "MaxDeliveries: -1", "RedeliveryDelay: -1ns", "MaxMessageBytes: -1"} {
		assert.ErrorContains(t, err, want)
	}
}

// A MaxMessageBytes too small for a dead letter's markers alone is refused,
// naming the least it takes: no dead letter could fit it, and a message
// that fails for good would be delivered again for ever.
func TestPubSubConfigValidateRefusesAMaxMessageBytesNoDeadLetterFits(t *testing.T) {
	err := cqrs.PubSubConfig{MaxMessageBytes: 1023}.Validate()
	assert.ErrorContains(t, err, "MaxMessageBytes: 1023, must be at least 1024")
	err = cqrs.PubSubConfig{MaxMessageBytes: 1024}.Validate()
	assert.NotContains(t, fmt.Sprint(err), "MaxMessageBytes")
}
