package cqrs

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

type awaitedValueKey struct{}

// A message handed to gochannel for a ready subscription that ends before
// it arrives is dead-lettered for that subscription with the reason,
// without its tag and without its publisher's context; one that arrives is
// handed on without its tag.
func TestChannelMessageASubscriptionNeverReceivedIsDeadLettered(t *testing.T) {
	tr, err := NewChannelTransport(ChannelConfig{Async: true})
	require.NoError(t, err)
	sub, _ := tr.Subscriber("ev")
	out, err := sub.Subscribe(context.Background(), "ev")
	require.NoError(t, err)

	pub, _ := tr.Publisher("ev")
	require.NoError(t, pub.Publish("ev", message.NewMessage("arrives", nil)))
	m := <-out
	assert.Equal(t, "arrives", m.UUID)
	assert.Empty(t, m.Metadata.Get(channelTag), "the tag reached the consumer")
	m.Ack()

	lost := message.NewMessage("lost", nil)
	lost.SetContext(context.WithValue(context.Background(), awaitedValueKey{}, "pinned"))
	_, _, awaiting, err := tr.channelAwaiting("ev", []*message.Message{lost}, nil) // handed over, never sent
	require.NoError(t, err)
	require.Len(t, awaiting, 1)
	require.NoError(t, tr.Close())
	for range out { // the subscription ends with the transport
	}
	require.NoError(t, sub.Close())

	dead := tr.DeadLetters()
	require.Len(t, dead, 1)
	assert.Equal(t, "ev", dead[0].Destination)
	assert.Equal(t, "lost", dead[0].Message.UUID)
	assert.Equal(t, notReached, dead[0].Reason)
	assert.Empty(t, dead[0].Message.Metadata.Get(channelTag), "the dead letter kept its tag")
	assert.Nil(t, dead[0].Message.Context().Value(awaitedValueKey{}), "the dead letter kept its publisher's context")
}

// What a subscription never received is dead-lettered in the order it was
// handed to gochannel, past the tags' first digit too.
func TestChannelMessagesASubscriptionNeverReceivedAreDeadLetteredInOrder(t *testing.T) {
	var a awaited
	var want []string
	for i := range 12 {
		id := fmt.Sprintf("m-%d", i)
		a.await(strconv.Itoa(i+1), message.NewMessage(id, nil))
		want = append(want, id)
	}
	var got []string
	for _, m := range a.missed() {
		got = append(got, m.UUID)
	}
	assert.Equal(t, want, got)
	assert.Empty(t, a.missed(), "forgotten once returned")
}

// A command queued for its turn is not awaited by its listener: a command
// has one listener at a time, and its turn dead-letters it when that
// listener went away; awaited too, it could be dead-lettered by the
// listener that closed and then handled by a new one. An event queued is
// awaited by every subscription ready then.
func TestChannelQueuedCommandIsNotAwaitedByItsListener(t *testing.T) {
	tr, err := NewChannelTransport(ChannelConfig{Async: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	require.NoError(t, tr.Bind(context.Background(), sourceflow.Binding{Service: "svc", Routes: []sourceflow.Route{
		{Type: "svc.Pay", Kind: sourceflow.KindCommand, Destination: "pay.fifo"},
		{Type: "svc.Paid", Kind: sourceflow.KindEvent, Destination: "ev.fifo"},
	}}))
	for _, dest := range []string{"pay.fifo", "ev.fifo"} {
		sub, err := tr.Subscriber(dest)
		require.NoError(t, err)
		_, err = sub.Subscribe(t.Context(), dest)
		require.NoError(t, err)
		t.Cleanup(func() { _ = sub.Close() })
	}

	tr.mu.Lock()
	command := tr.handedLocked("pay.fifo", []*message.Message{message.NewMessage("c", nil)})
	event := tr.handedLocked("ev.fifo", []*message.Message{message.NewMessage("e", nil)})
	tr.mu.Unlock()

	assert.Empty(t, command.awaiting)
	assert.Empty(t, command.msgs[0].Metadata.Get(channelTag))
	assert.Len(t, event.awaiting, 1)
	assert.NotEmpty(t, event.msgs[0].Metadata.Get(channelTag))
}
