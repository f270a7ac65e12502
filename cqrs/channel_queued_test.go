package cqrs_test

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A message queued on an ordered destination while its subscription was in
// place, whose turn comes after that subscription closed, is received or
// dead-lettered.
func TestChannelQueuedMessageWhoseSubscriptionClosedBeforeItsTurnIsDeadLettered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
		require.NoError(t, err)
		seen := leaveWithSecondQueued(t, tr, "ev.fifo")
		for _, dl := range tr.DeadLetters() {
			t.Log(dl.Message.UUID, dl.Reason)
			seen[dl.Message.UUID] = true
		}
		assert.True(t, seen["second"], "published while its subscription was in place, neither received nor dead-lettered")
	})
}

// A queued message awaited by a subscription, whose publish fails at its
// turn because the transport closed, is dead-lettered once, untagged:
// either by its subscription, which closed before the message reached it,
// or as a hand-over that failed, never both.
func TestChannelQueuedMessageWhosePublishFailsAtItsTurnIsDeadLetteredOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
		require.NoError(t, err)
		sub, _ := tr.Subscriber("ev.fifo")
		out, err := sub.Subscribe(context.Background(), "ev.fifo")
		require.NoError(t, err)
		pub, _ := tr.Publisher("ev.fifo")
		require.NoError(t, pub.Publish("ev.fifo", message.NewMessage("first", nil)))
		first := <-out // in its handler: the second waits its turn
		second := message.NewMessage("second", nil)
		require.NoError(t, pub.Publish("ev.fifo", second))
		closed := make(chan error, 1)
		go func() { closed <- tr.Close() }()
		synctest.Wait() // the transport closed while the first was in its handler
		first.Ack()
		for m := range out {
			m.Ack()
		}
		require.NoError(t, sub.Close())
		require.NoError(t, <-closed)

		var dead []cqrs.DeadLetter
		for _, dl := range tr.DeadLetters() {
			assert.Empty(t, dl.Message.Metadata, "a dead letter carries the tag of %s", dl.Message.UUID)
			if dl.Message.UUID == "second" {
				dead = append(dead, dl)
			}
		}
		require.Len(t, dead, 1, "the second is dead-lettered once")
		assert.Empty(t, second.Metadata, "the publisher's message was tagged")
	})
}

// A queued command whose listener closed while it waited its turn is
// dead-lettered once: by the subscription it was queued for, not again as
// a command nobody listens to.
func TestChannelQueuedCommandWhoseListenerClosedBeforeItsTurnIsDeadLetteredOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
		require.NoError(t, err)
		require.NoError(t, tr.Bind(context.Background(), sourceflow.Binding{Service: "orders", Routes: []sourceflow.Route{
			{Type: "orders.Place", Kind: sourceflow.KindCommand, Destination: "orders.fifo"},
		}}))
		leaveWithSecondQueued(t, tr, "orders.fifo")

		var reasons []string
		for _, dl := range tr.DeadLetters() {
			if dl.Message.UUID == "second" {
				reasons = append(reasons, dl.Reason)
			}
		}
		assert.Len(t, reasons, 1, "the second is dead-lettered once: %q", reasons)
	})
}

// leaveWithSecondQueued subscribes to dest, an ordered destination of tr,
// publishes "first" and "second", and ends the subscription while the first
// is in its handler and the second waits its turn; it then acks the first
// and what else the subscription receives, closes tr and returns the UUIDs
// received. Run it in a synctest bubble.
func leaveWithSecondQueued(t *testing.T, tr *cqrs.ChannelTransport, dest string) (received map[string]bool) {
	t.Helper()
	sub, _ := tr.Subscriber(dest)
	ctx, cancel := context.WithCancel(context.Background())
	out, err := sub.Subscribe(ctx, dest)
	require.NoError(t, err)
	pub, _ := tr.Publisher(dest)
	require.NoError(t, pub.Publish(dest, message.NewMessage("first", nil)))
	first := <-out // in its handler: the second waits its turn
	require.NoError(t, pub.Publish(dest, message.NewMessage("second", nil)))
	cancel()
	synctest.Wait() // the subscription ended while the first was in its handler
	first.Ack()
	received = map[string]bool{}
	for m := range out {
		received[m.UUID] = true
		m.Ack()
	}
	require.NoError(t, sub.Close())
	require.NoError(t, tr.Close())
	return received
}
