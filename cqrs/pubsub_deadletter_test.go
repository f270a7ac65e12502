package cqrs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A consumer step that rewrites the message (as decryption does) must not
// leak into the dead letter: the dead letter is the message as the Pub/Sub
// delivered it.
func TestPubSubTransportDeadLettersTheMessageAsDelivered(t *testing.T) {
	rig := newPubSubRig(t)
	dlq := rig.deadLetters(t, "orders-dlq")
	rewrite := func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			msg.Payload = []byte("PLAINTEXT")
			msg.Metadata.Set("sf_enc", "")
			return nil, sourceflow.Permanent(errors.New("refused after decrypting"))
		}
	}
	app := newOrderApp(t, cqrs.ServiceConfig{Transport: rig.transport(t, cqrs.PubSubConfig{}),
		Hooks: cqrs.Hooks{CommandSubscribe: []message.HandlerMiddleware{rewrite}}})
	app.start(t)
	sealed := rawCommandID("sealed", "orders.CreateOrder", "o-1", `CIPHERTEXT`)
	sealed.Metadata.Set("sf_enc", "header")
	require.NoError(t, rig.Publish("orders", sealed))
	eventually(t, func() bool { return len(dlq.all()) == 1 }, "the message is dead-lettered")
	dead := dlq.all()[0]
	assert.Equal(t, "CIPHERTEXT", string(dead.Payload))
	assert.Equal(t, "header", dead.Metadata.Get("sf_enc"))
	assert.NotEmpty(t, dead.Metadata.Get(sourceflow.MetaFailure))
}

// oneShotSubscriber delivers one message on topic "orders", whose context
// ends at a deadline, as a Pub/Sub with an ack deadline does.
type oneShotSubscriber struct{ msg *message.Message }

func (s oneShotSubscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	ch := make(chan *message.Message, 1)
	if topic == "orders" {
		ch <- s.msg
	}
	go func() { <-ctx.Done(); close(ch) }()
	return ch, nil
}

func (oneShotSubscriber) Close() error { return nil }

// When the Pub/Sub takes a message back (its context ended: an ack
// deadline), the transport stops redelivering it and neither acks nor
// dead-letters it: the Pub/Sub delivers it again.
func TestPubSubTransportLeavesAMessageWhoseDeadlinePassedToThePubSub(t *testing.T) {
	rig := newPubSubRig(t)
	dlq := rig.deadLetters(t, "orders-dlq")
	msgCtx, cancel := context.WithCancel(context.Background())
	orig := rawCommandID("slow", "orders.CreateOrder", "o-1", `{"amount":1}`)
	orig.SetContext(msgCtx)
	var attempts recorder[string]
	release := make(chan struct{})
	gate := func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			attempts.add(msg.UUID)
			<-release
			return nil, errors.New("handler down")
		}
	}
	tr, err := cqrs.NewPubSubTransport(cqrs.PubSubConfig{Publisher: rig,
		Subscriber:   func(string, string) (message.Subscriber, error) { return oneShotSubscriber{orig}, nil },
		Capabilities: cqrs.Capabilities{ConsumerGroups: true}, MaxDeliveries: 3, RedeliveryDelay: time.Millisecond})
	require.NoError(t, err)
	app := newOrderApp(t, cqrs.ServiceConfig{Transport: tr,
		Hooks: cqrs.Hooks{CommandSubscribe: []message.HandlerMiddleware{gate}}})
	require.NoError(t, app.svc.Start(context.Background()))
	eventually(t, func() bool { return len(attempts.all()) == 1 }, "the first delivery is in the handler")
	cancel() // the ack deadline passes while the handler runs
	close(release)
	assert.Never(t, func() bool { return len(attempts.all()) > 1 || len(dlq.all()) > 0 }, 300*time.Millisecond, 5*time.Millisecond,
		"a message the Pub/Sub took back is neither delivered again nor dead-lettered here")
	require.NoError(t, app.svc.Close())
	select {
	case <-orig.Acked():
		t.Fatal("a message taken back by the Pub/Sub was acked")
	case <-orig.Nacked():
		t.Fatal("a message taken back by the Pub/Sub was nacked")
	default:
	}
}
