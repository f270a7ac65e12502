//go:build integration

package integration

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// pollWatch is the SQS client, noting when the ReceiveMessage call under
// way started (zero when none is).
type pollWatch struct {
	*sqs.Client
	mu      sync.Mutex
	started time.Time
}

func (p *pollWatch) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, o ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	p.mu.Lock()
	p.started = time.Now()
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.started = time.Time{}
		p.mu.Unlock()
	}()
	return p.Client.ReceiveMessage(ctx, in, o...)
}

// polling reports whether a ReceiveMessage call has been waiting for at
// least d, so that SQS holds it as a long poll.
func (p *pollWatch) polling(d time.Duration) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return !p.started.IsZero() && time.Since(p.started) >= d
}

// closePollRig is a queue (120s visibility timeout) with a publisher and a
// first subscriber waiting in its long poll.
type closePollRig struct {
	client   *sqs.Client
	ep       topology.Endpoint
	pub      *awsbus.Publisher
	consumer awsbus.ConsumerConfig
	first    *awsbus.Subscriber
}

// newClosePollRig creates the queue of name (".fifo" ending a FIFO queue)
// and returns once the first subscriber, with consumer's settings, has
// waited a second in its long poll, so that SQS holds it as one.
func newClosePollRig(t *testing.T, name string, consumer awsbus.ConsumerConfig) *closePollRig {
	t.Helper()
	r := &closePollRig{client: sqs.NewFromConfig(awsConfig(t)), consumer: consumer}
	r.ep = createQueueWithDLQ(t, r.client, name, queueOptions{visibility: 120})
	var err error
	r.pub, err = awsbus.NewPublisher(awsbus.PublisherConfig{SQS: r.client, Resolve: r.resolve})
	require.NoError(t, err)
	watch := &pollWatch{Client: r.client}
	r.first, err = awsbus.NewSubscriber(awsbus.SubscriberConfig{SQS: watch, Resolve: r.resolve, ConsumerConfig: consumer})
	require.NoError(t, err)
	_, err = r.first.Subscribe(context.Background(), r.ep.Name)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return watch.polling(time.Second) }, 30*time.Second, 50*time.Millisecond,
		"the first subscriber waits in a long poll")
	return r
}

func (r *closePollRig) resolve(string) (topology.Endpoint, error) { return r.ep, nil }

// requireReceivedOnRestart starts a second subscriber and requires that it
// receives the message "after-close" within 45s, well within the 120s a
// poll the first subscriber gave up, had SQS handed it the message, would
// keep it invisible (on FIFO, its group with it).
func (r *closePollRig) requireReceivedOnRestart(t *testing.T) {
	t.Helper()
	second, err := awsbus.NewSubscriber(awsbus.SubscriberConfig{SQS: r.client, Resolve: r.resolve, ConsumerConfig: r.consumer})
	require.NoError(t, err)
	t.Cleanup(func() { _ = second.Close() })
	ch, err := second.Subscribe(context.Background(), r.ep.Name)
	require.NoError(t, err)
	var got *message.Message
	select {
	case got = <-ch:
	case <-time.After(45 * time.Second):
		visible, inFlight, err := queueDepth(context.Background(), r.client, r.ep.QueueURL)
		t.Fatalf("the message sent after-close did not arrive within 45s of the restart "+
			"(visibility timeout 120s); the queue holds %d visible, %d in flight (%v)", visible, inFlight, err)
	}
	assert.Equal(t, "uuid-after-close", got.UUID)
	got.Ack()
}

// A subscriber closed while its long poll waits on an empty queue, with a
// message sent as the close begins: a subscriber started after it receives
// the message well within the 120s visibility timeout, instead of SQS
// handing it to the poll the closed subscriber gave up and keeping it
// invisible (on FIFO, its group with it) until that timeout ends.
func TestAWSBusCloseDuringLongPollLosesNoMessage(t *testing.T) {
	for _, suffix := range []string{"", ".fifo"} {
		t.Run("queue"+suffix, func(t *testing.T) {
			t.Parallel()
			r := newClosePollRig(t, uniqueName("close-poll", suffix),
				awsbus.ConsumerConfig{VisibilityTimeout: 120 * time.Second, WaitTime: 20 * time.Second, ShutdownTimeout: 25 * time.Second})
			began := time.Now()
			closed := make(chan error, 1)
			go func() { closed <- r.first.Close() }()
			require.NoError(t, r.pub.Publish(r.ep.Name, flowCommand("after-close", "e-1")))
			require.NoError(t, <-closed)
			t.Logf("Close took %v", time.Since(began).Round(time.Millisecond))
			r.requireReceivedOnRestart(t)
		})
	}
}

// BenchmarkAWSBusCloseIdle measures a subscriber's Close while its long
// poll (WaitTime 20s) has waited a second on an empty queue: the rest of
// the poll, which Close lets end.
func BenchmarkAWSBusCloseIdle(b *testing.B) {
	client := sqs.NewFromConfig(awsConfigB(b))
	q, err := client.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(uniqueName("close-idle", ""))})
	if err != nil {
		b.Fatal(err)
	}
	ep := topology.Endpoint{Name: "close-idle", Kind: sourceflow.KindCommand, QueueURL: aws.ToString(q.QueueUrl)}
	resolve := func(string) (topology.Endpoint, error) { return ep, nil }
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for b.Loop() {
		b.StopTimer()
		watch := &pollWatch{Client: client}
		sub, err := awsbus.NewSubscriber(awsbus.SubscriberConfig{SQS: watch, Resolve: resolve,
			ConsumerConfig: awsbus.ConsumerConfig{WaitTime: 20 * time.Second}})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := sub.Subscribe(context.Background(), ep.Name); err != nil {
			b.Fatal(err)
		}
		for !watch.polling(time.Second) {
			<-tick.C
		}
		b.StartTimer()
		if err := sub.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
