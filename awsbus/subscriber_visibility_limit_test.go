package awsbus_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// slowReplySQS hands a received batch to the subscriber only delay after
// SQS received it, as a reply slowed down on its way back would.
type slowReplySQS struct {
	awsbus.SQSAPI
	delay time.Duration
}

func (s slowReplySQS) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, o ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	out, err := s.SQSAPI.ReceiveMessage(ctx, in, o...)
	if err == nil && len(out.Messages) > 0 {
		time.Sleep(s.delay)
	}
	return out, err
}

// SQS refuses a visibility change ending more than 12 hours after the
// receive. A message nacked a minute before that limit, with a backoff of
// ten minutes, is made visible again within the limit instead of keeping
// its visibility timeout. The receive reply reaches the subscriber 30s
// late, so counting the limit from the reply would still overshoot it. In
// the synctest bubble the clock jumps over the hours at once.
func TestSubscriberNackBackoffStaysWithinTheVisibilityLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const replyDelay = 30 * time.Second
		w := newWire(t, "orders", 5, awsbus.SubscriberConfig{})
		rec := newRecordingSQS(slowReplySQS{SQSAPI: w.sqs, delay: replyDelay})
		sub := subscriberOn(t, w, awsbus.SubscriberConfig{SQS: rec, ConsumerConfig: awsbus.ConsumerConfig{
			WaitTime: 20 * time.Second, VisibilityTimeout: topology.MaxVisibilityTimeout, NackBackoff: 10 * time.Minute,
		}}, func(*topology.Endpoint) {})
		require.NoError(t, w.pub.Publish("orders", command("held", "e")))
		ch, err := sub.Subscribe(context.Background(), "orders")
		require.NoError(t, err)
		var m *message.Message
		select {
		case m = <-ch:
		case <-time.After(2 * replyDelay):
			t.Fatal("the message was not handed out")
		}

		time.Sleep(topology.MaxVisibilityTimeout - time.Minute - replyDelay)
		m.Nack()
		require.NoError(t, sub.Close()) // the nack is settled

		changes := rec.changesOf(rec.receipt(t, 0))
		require.Len(t, changes, 1, "one visibility change, the nack's")
		assert.NoError(t, changes[0].err, "SQS took the nack's visibility timeout")
		assert.Positive(t, changes[0].timeout, "the message still waits out what it can of its backoff")
		assert.LessOrEqual(t, changes[0].timeout, int32(50), "the minute left, less a margin for the call")
	})
}
