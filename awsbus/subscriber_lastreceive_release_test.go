package awsbus_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
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
// stays on the queue (its dead-letter copy failed) is released; on its
// last allowed receive it is dead-lettered with a reason instead.
func TestSubscriberFIFOHeldMessageOnItsLastReceiveIsDeadLettered(t *testing.T) {
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

	var dead awsbustest.Message
	require.Eventually(t, func() bool {
		for _, m := range w.sqs.Messages(w.ep.DLQURL) {
			if m.Body == `{"id":"b"}` {
				dead = m
				return true
			}
		}
		return false
	}, waitFor, tick)
	assert.Contains(t, dead.Attributes[sourceflow.MetaFailure], "on its last allowed receive (1 of 1)")
	assert.Equal(t, "e", dead.GroupID)
}
