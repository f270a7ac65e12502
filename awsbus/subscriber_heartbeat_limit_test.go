package awsbus_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// A handler running for most of SQS's 12-hour visibility limit keeps its
// message invisible up to that limit: once less than a whole visibility
// timeout is left, the heartbeat renews the message to what is left instead
// of letting it reappear (and be delivered a second time) hours early. In
// the synctest bubble the clock jumps over the hours at once.
func TestSubscriberHeartbeatRenewsUpToTheVisibilityLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWire(t, "orders", 5, awsbus.SubscriberConfig{})
		rec := newRecordingSQS(w.sqs)
		sub := subscriberOn(t, w, awsbus.SubscriberConfig{SQS: rec, ConsumerConfig: awsbus.ConsumerConfig{
			WaitTime: 20 * time.Second, VisibilityTimeout: 4 * time.Hour,
		}}, func(*topology.Endpoint) {})
		require.NoError(t, w.pub.Publish("orders", command("long", "e")))
		ch, err := sub.Subscribe(context.Background(), "orders")
		require.NoError(t, err)
		var m *message.Message
		select {
		case m = <-ch:
		case <-time.After(time.Minute):
			t.Fatal("the message was not handed out")
		}

		time.Sleep(topology.MaxVisibilityTimeout - 30*time.Minute)
		synctest.Wait()

		onQueue := w.sqs.Messages(w.ep.QueueURL)
		require.Len(t, onQueue, 1)
		assert.True(t, onQueue[0].InFlight, "still invisible while its handler runs")
		assert.Equal(t, 1, onQueue[0].ReceiveCount, "not delivered a second time")
		for _, c := range rec.changesOf(rec.receipt(t, 0)) {
			assert.NoError(t, c.err, "every renewal stays within the limit")
		}
		m.Ack()
		require.NoError(t, sub.Close())
	})
}
