package cqrs

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

// A hand-over to a command destination whose listener left before its turn
// is dead-lettered with ErrNoListener, not published into a gochannel topic
// nobody reads, which would drop it.
func TestChannelHandOverToACommandDestinationNobodyListensToIsDeadLettered(t *testing.T) {
	tr, err := NewChannelTransport(ChannelConfig{})
	require.NoError(t, err)
	require.NoError(t, tr.Bind(context.Background(), sourceflow.Binding{Service: "loop", Routes: []sourceflow.Route{
		{Type: "loop.Again", Kind: sourceflow.KindCommand, Destination: "loop"},
	}}))
	m := message.NewMessage("m-1", nil)

	require.NoError(t, tr.handOver("loop", []*message.Message{m}))
	// Its turn comes before the Close: one after it fails for the closed
	// transport instead.
	require.Eventually(t, func() bool { return tr.DeadLetterCount() == 1 }, 10*time.Second, time.Millisecond)
	require.NoError(t, tr.Close())

	dead := tr.DeadLetters()
	require.Len(t, dead, 1)
	assert.Equal(t, "m-1", dead[0].Message.UUID)
	assert.Contains(t, dead[0].Reason, ErrNoListener.Error())
}

// A command sent while its listener is still subscribing is refused with
// ErrNoListener: gochannel would drop it, and Send would return nil.
func TestChannelCommandToAListenerStillSubscribingIsRefused(t *testing.T) {
	tr, err := NewChannelTransport(ChannelConfig{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	require.NoError(t, tr.Bind(context.Background(), sourceflow.Binding{Service: "orders", Routes: []sourceflow.Route{
		{Type: "orders.Place", Kind: sourceflow.KindCommand, Destination: "orders"},
	}}))
	require.NoError(t, tr.listen("orders")) // what Subscribe does before its gochannel subscription
	pub, err := tr.Publisher("orders")
	require.NoError(t, err)

	err = pub.Publish("orders", message.NewMessage("m-1", nil))

	require.ErrorIs(t, err, ErrNoListener)
	tr.unlisten("orders")
	sub, err := tr.Subscriber("orders")
	require.NoError(t, err)
	msgs, err := sub.Subscribe(context.Background(), "orders")
	require.NoError(t, err, "the listener that gave up left no trace")
	go func() {
		for m := range msgs {
			m.Ack()
		}
	}()
	require.NoError(t, pub.Publish("orders", message.NewMessage("m-2", nil)))
	require.NoError(t, sub.Close())
}
