package awsbus_test

import (
	"context"
	"fmt"
	"sync/atomic"
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

// silentSQS stops answering visibility changes once silent is set: each
// such call returns only when its context ends, as against an endpoint that
// accepts connections but never answers.
type silentSQS struct {
	awsbus.SQSAPI
	silent atomic.Bool
}

func (s *silentSQS) ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, o ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error) {
	if s.silent.Load() {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return s.SQSAPI.ChangeMessageVisibility(ctx, in, o...)
}

func (s *silentSQS) ChangeMessageVisibilityBatch(ctx context.Context, in *sqs.ChangeMessageVisibilityBatchInput, o ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error) {
	if s.silent.Load() {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return s.SQSAPI.ChangeMessageVisibilityBatch(ctx, in, o...)
}

// Messages held behind their FIFO group's head are released together, ten
// per call: against an SQS that does not answer, Close still returns
// within ShutdownTimeout and a few bounded calls, not one 10-second call
// per held message. In the synctest bubble the clock jumps over the waits.
func TestSubscriberCloseReleasesHeldMessagesTogetherWhenSQSDoesNotAnswer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWire(t, "orders.fifo", 5, awsbus.SubscriberConfig{})
		silent := &silentSQS{SQSAPI: w.sqs}
		sub := subscriberOn(t, w, awsbus.SubscriberConfig{SQS: silent, ConsumerConfig: awsbus.ConsumerConfig{
			WaitTime: time.Second, ShutdownTimeout: time.Second,
		}}, func(*topology.Endpoint) {})
		msgs := make([]*message.Message, 10)
		for i := range msgs {
			msgs[i] = command(fmt.Sprint("m", i), "e") // one group
		}
		require.NoError(t, w.pub.Publish("orders.fifo", msgs...))
		ch, err := sub.Subscribe(context.Background(), "orders.fifo")
		require.NoError(t, err)
		select {
		case <-ch: // the group's head; the nine others are held behind it
		case <-time.After(time.Minute):
			t.Fatal("the message was not handed out")
		}
		synctest.Wait()
		silent.silent.Store(true)

		start := time.Now()
		require.NoError(t, sub.Close())

		assert.LessOrEqual(t, time.Since(start), time.Second+3*10*time.Second,
			"ShutdownTimeout, the head's release and one call for the held messages")
	})
}
