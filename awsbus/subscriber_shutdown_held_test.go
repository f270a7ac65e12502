package awsbus_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// On FIFO, against an endpoint that stops answering while a renewal is
// under way, a head acked before the shutdown deadline frees its group at
// once: the messages held behind it (the first on its last allowed
// receive, so dead-lettered, then backed off when the copy fails; the
// next released) are settled within the bound doc.go states, the delete
// of the head not waiting for the renewal. In the synctest bubble the
// clock jumps over the 10-second calls.
func TestSubscriberShutdownAckedFIFOHeadFreesItsHeldMessagesWithinTheBound(t *testing.T) {
	const shutdown, call = 5 * time.Second, 10 * time.Second
	synctest.Test(t, func(t *testing.T) {
		w := newWire(t, "orders.fifo", 1, awsbus.SubscriberConfig{})
		paused := &pausedSQS{SQSAPI: w.sqs, ids: map[string]string{}}
		sub := subscriberOn(t, w, awsbus.SubscriberConfig{SQS: paused, ConsumerConfig: awsbus.ConsumerConfig{
			WaitTime: time.Second, VisibilityTimeout: 10 * time.Second, ShutdownTimeout: shutdown,
		}}, func(*topology.Endpoint) {})
		require.NoError(t, w.pub.Publish("orders.fifo", command("head", "e"), command("last", "e"), command("next", "e")))
		ch, err := sub.Subscribe(context.Background(), "orders.fifo")
		require.NoError(t, err)
		head := next(t, ch)
		synctest.Wait()
		paused.paused.Store(true)
		time.Sleep(6 * time.Second) // renewals come once half the visibility timeout passed
		synctest.Wait()
		require.Len(t, paused.renewalsOf(), 1, "a renewal is under way when the shutdown begins")

		start := time.Now()
		closed := make(chan error, 1)
		go func() { closed <- sub.Close() }()
		time.Sleep(time.Second)
		head.Ack()
		require.NoError(t, <-closed)

		assert.LessOrEqual(t, time.Since(start), shutdown+3*call, "ShutdownTimeout and three settling calls")
	})
}
