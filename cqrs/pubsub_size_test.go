package cqrs_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A message over PubSubConfig.MaxMessageBytes, counting its payload and
// each metadata key and value, is refused before it is sent, for good,
// with an error naming its size, the limit and the destination; nothing
// of that Publish reaches the Pub/Sub, and a message of exactly the limit
// is sent.
func TestPubSubTransportRefusesAMessageOverMaxMessageBytes(t *testing.T) {
	rig := newPubSubRig(t)
	tr := rig.transport(t, cqrs.PubSubConfig{MaxMessageBytes: 1024, Topic: func(d string) string { return "sf." + d }})
	require.NoError(t, tr.Bind(context.Background(), sourceflow.Binding{Service: "orders"}))
	got := rig.deadLetters(t, "sf.order-events") // any topic: it records what arrives
	pub, err := tr.Publisher("order-events")
	require.NoError(t, err)
	sized := func(uuid string, n int) *message.Message {
		m := message.NewMessage(uuid, nil)
		m.Metadata.Set("k", "vv") // 3 bytes
		m.Payload = []byte(strings.Repeat("p", n-3))
		return m
	}

	err = pub.Publish("order-events", sized("fits", 1024), sized("big", 1025))
	require.ErrorIs(t, err, sourceflow.ErrMessageTooLarge)
	assert.True(t, sourceflow.IsPermanent(err), "no retry makes it smaller")
	var size *sourceflow.SizeError
	require.ErrorAs(t, err, &size)
	assert.Equal(t, sourceflow.SizeError{UUID: "big", Service: "the Pub/Sub", Size: 1025, Limit: 1024}, *size)
	assert.Equal(t, `cqrs: nothing sent to "order-events": sourceflow: message too large: message big is 1025 bytes, the Pub/Sub accepts at most 1024`, err.Error())

	require.NoError(t, pub.Publish("order-events", sized("alone", 1024)), "a message of exactly the limit is sent")
	eventually(t, func() bool { return len(got.all()) == 1 }, "the message within the limit arrives")
	assert.Equal(t, "alone", got.all()[0].UUID, "nothing of the refused Publish was sent")
}

// Without MaxMessageBytes a message of any size goes to the Pub/Sub, and
// an error the Pub/Sub marks permanent stays so through the transport.
func TestPubSubTransportPassesAPermanentRefusalOfThePubSub(t *testing.T) {
	refusal := sourceflow.Permanent(errors.New("InvalidParameter: Message too long"))
	tr, err := cqrs.NewPubSubTransport(cqrs.PubSubConfig{
		Publisher:    refusedPubSub{err: refusal},
		Subscriber:   func(string, string) (message.Subscriber, error) { return nil, nil },
		Capabilities: cqrs.Capabilities{ConsumerGroups: true},
	})
	require.NoError(t, err)
	require.NoError(t, tr.Bind(context.Background(), sourceflow.Binding{Service: "orders"}))
	pub, err := tr.Publisher("order-events")
	require.NoError(t, err)
	err = pub.Publish("order-events", message.NewMessage("m", []byte(strings.Repeat("p", 1<<20))))
	assert.ErrorIs(t, err, refusal)
	assert.True(t, sourceflow.IsPermanent(err))
}

// refusedPubSub is a Pub/Sub publisher that refuses every publish with err.
type refusedPubSub struct{ err error }

func (p refusedPubSub) Publish(string, ...*message.Message) error { return p.err }
func (refusedPubSub) Close() error                                { return nil }
