package awsbus_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// slowRenewSQS answers each ChangeMessageVisibilityBatch call lag after it
// was made, as a slow endpoint does, and records the entries SQS refused.
type slowRenewSQS struct {
	awsbus.SQSAPI
	lag     time.Duration
	mu      sync.Mutex
	refused []string
}

func (s *slowRenewSQS) ChangeMessageVisibilityBatch(ctx context.Context, in *sqs.ChangeMessageVisibilityBatchInput, o ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error) {
	select {
	case <-time.After(s.lag):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	out, err := s.SQSAPI.ChangeMessageVisibilityBatch(ctx, in, o...)
	if err == nil {
		s.mu.Lock()
		for _, f := range out.Failed {
			s.refused = append(s.refused, aws.ToString(f.Code)+": "+aws.ToString(f.Message))
		}
		s.mu.Unlock()
	}
	return out, err
}

// With more messages due than one ChangeMessageVisibilityBatch call takes,
// each call counts what is left of SQS's 12-hour visibility limit from
// when it is made, not from the start of the heartbeat tick: a renewal to
// the limit that follows a slow call is not refused by SQS, and no message
// reappears (and is delivered a second time) while its handler runs. In
// the synctest bubble the clock jumps over the hours at once.
func TestSubscriberHeartbeatRenewalsAfterASlowCallStayWithinTheVisibilityLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWire(t, "orders", 5, awsbus.SubscriberConfig{})
		slow := &slowRenewSQS{SQSAPI: w.sqs, lag: 9 * time.Second}
		sub := subscriberOn(t, w, awsbus.SubscriberConfig{SQS: slow, ConsumerConfig: awsbus.ConsumerConfig{
			WaitTime: 20 * time.Second, VisibilityTimeout: 4 * time.Hour, MaxConcurrentCalls: 20,
		}}, func(*topology.Endpoint) {})
		const n = 11 // two renewal calls per tick
		for i := range n {
			require.NoError(t, w.pub.Publish("orders", command(fmt.Sprint("m", i), "e")))
		}
		ch, err := sub.Subscribe(context.Background(), "orders")
		require.NoError(t, err)
		var handed []*message.Message
		for range n {
			handed = append(handed, next(t, ch))
		}

		time.Sleep(topology.MaxVisibilityTimeout - 30*time.Minute)
		synctest.Wait()

		for _, m := range w.sqs.Messages(w.ep.QueueURL) {
			assert.True(t, m.InFlight, "still invisible while its handler runs")
			assert.Equal(t, 1, m.ReceiveCount, "not delivered a second time")
		}
		slow.mu.Lock()
		assert.Empty(t, slow.refused, "no renewal SQS refuses")
		slow.mu.Unlock()
		for _, m := range handed {
			m.Ack()
		}
		require.NoError(t, sub.Close())
	})
}
