package awsbus_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
)

// An entry of a DeleteMessageBatch call that SQS failed on its own side
// (InternalError) is deleted again once, as the SDK retries a failed call:
// the acked message is not delivered a second time. In the synctest bubble
// both acks surely share one batch.
func TestSubscriberDeletesAgainAnAckedMessageWhoseBatchEntryFailed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWire(t, "orders", 5, awsbus.SubscriberConfig{})
		require.NoError(t, w.pub.Publish("orders", command("a", "e-1"), command("b", "e-2")))
		w.sqs.FailNextEntries("DeleteMessageBatch", 1)
		ch, err := w.sub.Subscribe(context.Background(), "orders")
		require.NoError(t, err)
		first, second := next(t, ch), next(t, ch)
		first.Ack()
		second.Ack()

		time.Sleep(time.Second) // the batch delay, well past
		synctest.Wait()

		assert.Empty(t, w.sqs.Messages(w.ep.QueueURL), "both acked messages deleted")
		assert.Equal(t, 2, w.sqs.Calls("DeleteMessageBatch"), "one batch, and one more for the failed entry")
		require.NoError(t, w.sub.Close())
	})
}
