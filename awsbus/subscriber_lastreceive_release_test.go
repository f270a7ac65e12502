package awsbus_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
)

// A message still unsettled at shutdown on its last allowed receive (the
// handed-out one, and on FIFO the one held behind it) would be moved by the
// redrive policy on its next receive, without a reason: the subscriber
// dead-letters it with one instead of releasing it.
func TestSubscriberShutdownDeadLettersMessagesOnTheirLastReceive(t *testing.T) {
	for _, name := range []string{"orders", "orders.fifo"} {
		t.Run(name, func(t *testing.T) {
			w := newWire(t, name, 1, awsbus.SubscriberConfig{ConsumerConfig: awsbus.ConsumerConfig{ShutdownTimeout: 10 * time.Millisecond}})
			require.NoError(t, w.pub.Publish(name, command("a", "e"), command("b", "e")))
			ch, err := w.sub.Subscribe(context.Background(), name)
			require.NoError(t, err)
			next(t, ch) // never settled
			require.Eventually(t, func() bool {
				msgs := w.sqs.Messages(w.ep.QueueURL)
				return len(msgs) == 2 && msgs[0].InFlight && msgs[1].InFlight
			}, waitFor, tick)

			require.NoError(t, w.sub.Close())

			assert.Empty(t, w.sqs.Messages(w.ep.QueueURL), "no message left for the redrive policy to move")
			dead := w.sqs.Messages(w.ep.DLQURL)
			require.Len(t, dead, 2)
			for _, m := range dead {
				assert.Contains(t, m.Attributes[sourceflow.MetaFailure], "on its last allowed receive (1 of 1)", m.Body)
			}
		})
	}
}

// On a FIFO queue, a message held behind its group's head when the head
// stays on the queue (its dead-letter copy failed) is released, even on its
// last allowed receive: a copy of it would reach the dead-letter queue
// before the head, which the redrive policy moves there later. The redrive
// policy moves both, in the group's order.
func TestSubscriberFIFOHeldMessageBehindAHeadLeftOnTheQueueKeepsTheGroupsOrder(t *testing.T) {
	w := newWire(t, "orders.fifo", 1, awsbus.SubscriberConfig{})
	require.NoError(t, w.pub.Publish("orders.fifo", command("a", "e"), command("b", "e")))
	ch, err := w.sub.Subscribe(context.Background(), "orders.fifo")
	require.NoError(t, err)
	head := next(t, ch)
	require.Equal(t, "a", head.Metadata.Get(sourceflow.MetaMessageID))
	require.Eventually(t, func() bool {
		msgs := w.sqs.Messages(w.ep.QueueURL)
		return len(msgs) == 2 && msgs[1].InFlight
	}, waitFor, tick)
	w.sqs.FailNext("SendMessage", 1, nil) // the head's copy fails: it stays on the queue
	head.Metadata.Set(sourceflow.MetaFailure, "cqrs: unknown type orders.Nope")
	head.Nack()

	require.Eventually(t, func() bool { return len(w.sqs.Messages(w.ep.DLQURL)) == 2 }, waitFor, tick)
	var bodies []string
	for _, m := range w.sqs.Messages(w.ep.DLQURL) {
		bodies = append(bodies, m.Body)
	}
	assert.Equal(t, []string{`{"id":"a"}`, `{"id":"b"}`}, bodies, "the group's order")
}

// At shutdown, once a held message of a FIFO group stays on the queue (its
// dead-letter copy failed), the messages held behind it are released with
// it, not dead-lettered ahead of it.
func TestSubscriberShutdownKeepsTheFIFOOrderWhenAHeldMessagesCopyFails(t *testing.T) {
	w := newWire(t, "orders.fifo", 1, awsbus.SubscriberConfig{})
	require.NoError(t, w.pub.Publish("orders.fifo", command("a", "e"), command("b", "e"), command("c", "e")))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := w.sub.Subscribe(ctx, "orders.fifo")
	require.NoError(t, err)
	head := next(t, ch)
	require.Equal(t, "a", head.Metadata.Get(sourceflow.MetaMessageID))
	require.Eventually(t, func() bool {
		msgs := w.sqs.Messages(w.ep.QueueURL)
		return len(msgs) == 3 && msgs[1].InFlight && msgs[2].InFlight
	}, waitFor, tick)
	w.sqs.FailNext("SendMessage", 1, nil) // b's copy fails: b stays on the queue
	cancel()                              // shutdown: a's group does not move on
	head.Ack()
	require.NoError(t, w.sub.Close())

	assert.Empty(t, w.sqs.Messages(w.ep.DLQURL), "c was not copied ahead of b")
	var bodies []string
	for _, m := range w.sqs.Messages(w.ep.QueueURL) {
		bodies = append(bodies, m.Body)
	}
	assert.Equal(t, []string{`{"id":"b"}`, `{"id":"c"}`}, bodies)
}
