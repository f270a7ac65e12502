//go:build integration

package integration

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// renewalRecorder is the SQS client, recording the entries of each
// ChangeMessageVisibilityBatch call and which of them SQS renewed.
type renewalRecorder struct {
	*sqs.Client
	mu      sync.Mutex
	sizes   []int
	renewed map[string]int // receipt handle -> successful renewals
}

func (r *renewalRecorder) ChangeMessageVisibilityBatch(ctx context.Context, in *sqs.ChangeMessageVisibilityBatchInput, o ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error) {
	out, err := r.Client.ChangeMessageVisibilityBatch(ctx, in, o...)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sizes = append(r.sizes, len(in.Entries))
	if err == nil {
		for _, s := range out.Successful {
			for _, e := range in.Entries {
				if aws.ToString(e.Id) == aws.ToString(s.Id) {
					r.renewed[aws.ToString(e.ReceiptHandle)]++
				}
			}
		}
	}
	return out, err
}

// renewedTwice counts the receipt handles renewed at least twice.
func (r *renewalRecorder) renewedTwice() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.renewed {
		if c >= 2 {
			n++
		}
	}
	return n
}

// Handlers holding twelve messages past their visibility timeout: the
// heartbeat renews them ten per call on LocalStack, each more than once,
// and once acked they are deleted.
func TestAWSBusHeartbeatRenewsHeldMessagesTenPerCall(t *testing.T) {
	const held = 12
	client := sqs.NewFromConfig(awsConfig(t))
	ep := createQueueWithDLQ(t, client, uniqueName("flow-heartbeat", ""), queueOptions{visibility: 8})
	resolve := func(string) (topology.Endpoint, error) { return ep, nil }
	pub, err := awsbus.NewPublisher(awsbus.PublisherConfig{SQS: client, Resolve: resolve})
	require.NoError(t, err)
	rec := &renewalRecorder{Client: client, renewed: map[string]int{}}
	sub, err := awsbus.NewSubscriber(awsbus.SubscriberConfig{SQS: rec, Resolve: resolve, ConsumerConfig: awsbus.ConsumerConfig{
		VisibilityTimeout: 8 * time.Second, MaxConcurrentCalls: held, WaitTime: 2 * time.Second, ShutdownTimeout: 10 * time.Second,
	}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = sub.Close() })
	var msgs []*message.Message
	for i := range held {
		msgs = append(msgs, flowCommand(fmt.Sprint("held-", i), fmt.Sprint("e-", i)))
	}
	require.NoError(t, pub.Publish(ep.Name, msgs...))
	ch, err := sub.Subscribe(context.Background(), ep.Name)
	require.NoError(t, err)

	var got []*message.Message
	for len(got) < held {
		select {
		case m := <-ch:
			got = append(got, m)
		case <-time.After(60 * time.Second):
			t.Fatalf("received %d of %d messages", len(got), held)
		}
	}
	require.Eventually(t, func() bool { return rec.renewedTwice() >= held }, 90*time.Second, 200*time.Millisecond,
		"every held message renewed twice")
	for _, m := range got {
		m.Ack()
	}
	// Delivery is at least once: a renewal that came too late on a busy
	// machine lets SQS deliver a held message again, to the channel. Ack
	// what comes, so every message, delivered once or more, is deleted.
	go func() {
		for m := range ch {
			m.Ack()
		}
	}()

	rec.mu.Lock()
	sizes := append([]int(nil), rec.sizes...)
	rec.mu.Unlock()
	assert.Contains(t, sizes, 10, "ten renewals share a call: %v", sizes)
	for _, n := range sizes {
		assert.LessOrEqual(t, n, 10)
	}
	require.Eventually(t, func() bool {
		visible, inFlight, err := queueDepth(context.Background(), client, ep.QueueURL)
		return err == nil && visible == 0 && inFlight == 0
	}, 60*time.Second, 250*time.Millisecond, "the acked messages are deleted")
}
