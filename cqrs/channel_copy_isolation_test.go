package cqrs_test

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// Each consumer of a ChannelTransport destination gets a message of its
// own, and each delivery a fresh copy: what one consumer changes in the
// metadata, another never sees, nor does its own next delivery, and
// neither sees the transport's tag. The publisher's message stays as it
// was, and a consumer's ack settles only its own delivery: the synchronous
// publish returns once both acked.
func TestChannelConsumersNeverSeeAnotherDeliverysChanges(t *testing.T) {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{RedeliveryDelay: 1})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	first := subscribeRaw(t, tr, "ev")
	second := subscribeRaw(t, tr, "ev")
	pub, err := tr.Publisher("ev")
	require.NoError(t, err)
	published := message.NewMessage("m-1", []byte("payload"))
	published.Metadata.Set("k", "v")
	done := make(chan error, 1)
	go func() { done <- pub.Publish("ev", published) }()

	a := <-first
	a.Metadata.Set("k", "changed by the first consumer")
	require.True(t, a.Nack())
	b := <-second
	assert.Equal(t, "v", b.Metadata.Get("k"))
	b.Metadata.Set("k", "changed by the second consumer")
	again := <-first
	assert.Equal(t, "v", again.Metadata.Get("k"), "a redelivery carried its earlier delivery's change")
	for _, m := range []*message.Message{a, b, again} {
		assert.Len(t, m.Metadata, 3, "the publisher's key, the delivery count and the dead-letter queue: %v", m.Metadata)
	}
	require.True(t, again.Ack())
	select {
	case err := <-done:
		t.Fatalf("the publish returned (%v) before the second consumer acked", err)
	default:
	}
	require.True(t, b.Ack())
	require.NoError(t, <-done)
	assert.Equal(t, message.Metadata{"k": "v"}, published.Metadata)
}

// subscribeRaw subscribes to destination on tr, ending with the test.
func subscribeRaw(t *testing.T, tr *cqrs.ChannelTransport, destination string) <-chan *message.Message {
	t.Helper()
	sub, err := tr.Subscriber(destination)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	msgs, err := sub.Subscribe(ctx, destination)
	require.NoError(t, err)
	t.Cleanup(func() {
		cancel()
		require.NoError(t, sub.Close())
	})
	return msgs
}
