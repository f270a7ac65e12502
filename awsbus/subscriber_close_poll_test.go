package awsbus_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// A subscriber closed while its long poll waits on an empty queue, with a
// message sent once the close began, on a fake that, as SQS, goes on with
// a poll its caller gave up: a subscriber started after it receives the
// message well within the 120s visibility timeout, instead of the message
// staying invisible, taken by the given-up poll, until that timeout ends.
// In the synctest bubble the clock jumps over the waits.
func TestSubscriberCloseDuringLongPollLosesNoMessage(t *testing.T) {
	for _, name := range []string{"orders", "orders.fifo"} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				consumer := awsbus.ConsumerConfig{VisibilityTimeout: 120 * time.Second, WaitTime: 20 * time.Second, ShutdownTimeout: 25 * time.Second}
				w := newWireOn(t, awsbustest.NewSQS(awsbustest.SQSConfig{KeepCanceledPolls: true}), name, 5,
					awsbus.SubscriberConfig{ConsumerConfig: consumer})
				_, err := w.sub.Subscribe(context.Background(), name)
				require.NoError(t, err)
				synctest.Wait()
				require.Equal(t, 1, w.sqs.Calls("ReceiveMessage"), "the subscriber waits in a long poll")

				closed := make(chan error, 1)
				go func() { closed <- w.sub.Close() }()
				synctest.Wait()
				require.NoError(t, w.pub.Publish(name, command("after-close", "e")))
				require.NoError(t, <-closed)
				requireReceivedOnRestart(t, w, name, consumer)
			})
		})
	}
}

// requireReceivedOnRestart starts a subscriber of queue name on w's fake,
// with consumer's settings, and requires that it receives the message
// "after-close" at once, well within the visibility timeout (120s) a
// given-up poll that took it would keep it invisible. It then waits in the
// synctest bubble until the polls the fake goes on with end.
func requireReceivedOnRestart(t *testing.T, w *wire, name string, consumer awsbus.ConsumerConfig) {
	t.Helper()
	second := subscriberOn(t, w, awsbus.SubscriberConfig{ConsumerConfig: consumer}, func(*topology.Endpoint) {})
	ch, err := second.Subscribe(context.Background(), name)
	require.NoError(t, err)
	restarted := time.Now()
	select {
	case got := <-ch:
		assert.Equal(t, "uuid-after-close", got.UUID)
		got.Ack()
	case <-time.After(60 * time.Second):
		assert.Fail(t, "the message sent after-close did not arrive within 60s (visibility timeout 120s)")
	}
	assert.Less(t, time.Since(restarted), 5*time.Second, "received at once")
	require.NoError(t, second.Close())
	time.Sleep(consumer.WaitTime) // the polls the fake goes on with end
}

// Against an endpoint that does not answer the long poll under way, Close
// lets the poll go on only until the shutdown deadline: it returns
// ShutdownTimeout after it began, not the poll's own bound (its wait plus
// 30s) later, and logs the cut. In the synctest bubble the clock jumps
// over the wait.
func TestSubscriberCloseCutsAnUnansweredLongPollAtTheShutdownDeadline(t *testing.T) {
	const shutdown = 5 * time.Second
	synctest.Test(t, func(t *testing.T) {
		w := newWire(t, "orders", 5, awsbus.SubscriberConfig{})
		paused := &pausedSQS{SQSAPI: w.sqs, ids: map[string]string{}}
		paused.paused.Store(true)
		logs := watermill.NewCaptureLogger()
		sub := subscriberOn(t, w, awsbus.SubscriberConfig{SQS: paused, Logger: logs, ConsumerConfig: awsbus.ConsumerConfig{
			WaitTime: 20 * time.Second, ShutdownTimeout: shutdown,
		}}, func(*topology.Endpoint) {})
		_, err := sub.Subscribe(context.Background(), "orders")
		require.NoError(t, err)
		synctest.Wait()

		start := time.Now()
		require.NoError(t, sub.Close())
		assert.Equal(t, shutdown, time.Since(start), "the poll is cut at the shutdown deadline")
		var lines []string
		for _, m := range logs.Captured()[watermill.InfoLogLevel] {
			lines = append(lines, m.Msg)
		}
		assert.Contains(t, lines, "Long poll cut at the shutdown deadline; messages SQS hands it return after their visibility timeout")
	})
}
