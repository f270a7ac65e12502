package awsbus_test

import (
	"context"
	"fmt"
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

// mutedSQS is pausedSQS whose deletes stop answering too.
type mutedSQS struct{ *pausedSQS }

func (s mutedSQS) DeleteMessage(ctx context.Context, in *sqs.DeleteMessageInput, o ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error) {
	if err := s.hang(ctx); err != nil {
		return nil, err
	}
	return s.SQSAPI.DeleteMessage(ctx, in, o...)
}

func (s mutedSQS) DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput, o ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error) {
	if err := s.hang(ctx); err != nil {
		return nil, err
	}
	return s.SQSAPI.DeleteMessageBatch(ctx, in, o...)
}

// Against an endpoint that stops answering, the deletes of messages acked
// during the shutdown wait keep Close within its bound however many
// batches they fill: each batch's call is bounded on its own, and none
// waits for another. In the synctest bubble the clock jumps over the
// 10-second calls.
func TestSubscriberShutdownDeletesOfManyAcksKeepToTheBoundWhenSQSStopsAnswering(t *testing.T) {
	const shutdown, call, n = 5 * time.Second, 10 * time.Second, 40
	synctest.Test(t, func(t *testing.T) {
		w := newWire(t, "orders", 5, awsbus.SubscriberConfig{})
		silent := mutedSQS{&pausedSQS{SQSAPI: w.sqs, ids: map[string]string{}}}
		sub := subscriberOn(t, w, awsbus.SubscriberConfig{SQS: silent, ConsumerConfig: awsbus.ConsumerConfig{
			WaitTime: time.Second, VisibilityTimeout: 30 * time.Second, ShutdownTimeout: shutdown, MaxConcurrentCalls: n,
		}}, func(*topology.Endpoint) {})
		for i := range n {
			require.NoError(t, w.pub.Publish("orders", command(fmt.Sprint("m", i), fmt.Sprint("e", i))))
		}
		ch, err := sub.Subscribe(context.Background(), "orders")
		require.NoError(t, err)
		handed := make([]*message.Message, n)
		for i := range handed {
			handed[i] = next(t, ch)
		}
		synctest.Wait()
		silent.paused.Store(true)
		start := time.Now()
		closed := make(chan error, 1)
		go func() { closed <- sub.Close() }()
		time.Sleep(time.Second)
		for _, m := range handed {
			m.Ack()
		}
		require.NoError(t, <-closed)

		assert.LessOrEqual(t, time.Since(start), shutdown+2*call, "ShutdownTimeout and one delete call per batch, at once")
	})
}
