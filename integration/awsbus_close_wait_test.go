//go:build integration

package integration

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// A subscriber whose ShutdownTimeout (5s) is shorter than its WaitTime
// (20s), closed while its long poll waits on an empty queue: the poll ends
// before the shutdown deadline, so Close cuts none, and a message sent once
// Close returned reaches a subscriber started after it within seconds,
// instead of SQS handing it to a poll the closed subscriber gave up and
// keeping it invisible (on FIFO, its group with it) for the 120s
// visibility timeout.
func TestAWSBusCloseWithShutdownTimeoutBelowWaitTimeLosesNoMessage(t *testing.T) {
	for _, suffix := range []string{"", ".fifo"} {
		t.Run("queue"+suffix, func(t *testing.T) {
			t.Parallel()
			const shutdown = 5 * time.Second
			client := sqs.NewFromConfig(awsConfig(t))
			ep := createQueueWithDLQ(t, client, uniqueName("close-wait", suffix), queueOptions{visibility: 120})
			resolve := func(string) (topology.Endpoint, error) { return ep, nil }
			pub, err := awsbus.NewPublisher(awsbus.PublisherConfig{SQS: client, Resolve: resolve})
			require.NoError(t, err)
			consumer := awsbus.ConsumerConfig{VisibilityTimeout: 120 * time.Second, WaitTime: 20 * time.Second, ShutdownTimeout: shutdown}
			watch := &pollWatch{Client: client}
			first, err := awsbus.NewSubscriber(awsbus.SubscriberConfig{SQS: watch, Resolve: resolve, ConsumerConfig: consumer})
			require.NoError(t, err)
			_, err = first.Subscribe(context.Background(), ep.Name)
			require.NoError(t, err)
			require.Eventually(t, func() bool { return watch.polling(time.Second) }, 30*time.Second, 50*time.Millisecond,
				"the first subscriber waits in a long poll")

			began := time.Now()
			require.NoError(t, first.Close())
			took := time.Since(began)
			t.Logf("Close took %v", took.Round(time.Millisecond))
			assert.Less(t, took, shutdown, "the poll under way ends before the shutdown deadline")
			require.NoError(t, pub.Publish(ep.Name, flowCommand("after-close", "e-1")))

			second, err := awsbus.NewSubscriber(awsbus.SubscriberConfig{SQS: client, Resolve: resolve, ConsumerConfig: consumer})
			require.NoError(t, err)
			t.Cleanup(func() { _ = second.Close() })
			ch, err := second.Subscribe(context.Background(), ep.Name)
			require.NoError(t, err)
			var got *message.Message
			select {
			case got = <-ch:
			case <-time.After(45 * time.Second):
				visible, inFlight, err := queueDepth(context.Background(), client, ep.QueueURL)
				t.Fatalf("the message sent once the first subscriber closed did not arrive within 45s of the restart "+
					"(visibility timeout 120s); the queue holds %d visible, %d in flight (%v)", visible, inFlight, err)
			}
			assert.Equal(t, "uuid-after-close", got.UUID)
			got.Ack()
		})
	}
}
