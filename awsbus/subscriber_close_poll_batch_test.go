package awsbus_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// A subscriber closed while a handler still runs (long enough for the
// heartbeat to renew its message) and its long poll waits: the batch that
// poll returns, several messages of one FIFO group among them, is released
// at once, each visible again while the handler still runs, and the
// handler's ack is deleted. In the synctest bubble the clock jumps over
// the waits.
func TestSubscriberCloseReleasesTheBatchTheLastPollReturns(t *testing.T) {
	for _, name := range []string{"orders", "orders.fifo"} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				w := closeDuringPollWithBatch(t, name, 5)
				msgs := w.sqs.Messages(w.ep.QueueURL)
				require.Len(t, msgs, 5, "the acked message is deleted, the rest stay")
				for _, m := range msgs {
					assert.False(t, m.InFlight, "%s is visible again", m.Body)
					assert.Equal(t, 1, m.ReceiveCount, "%s was received by the last poll", m.Body)
				}
			})
		})
	}
}

// As above, with every message on its last allowed receive: the batch the
// last poll returns is dead-lettered with its reason, not left for the
// redrive policy to move without one.
func TestSubscriberCloseDeadLettersTheBatchTheLastPollReturnsOnItsLastReceive(t *testing.T) {
	for _, name := range []string{"orders", "orders.fifo"} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				w := closeDuringPollWithBatch(t, name, 1)
				assert.Empty(t, w.sqs.Messages(w.ep.QueueURL), "no message left for the redrive policy to move")
				dead := w.sqs.Messages(w.ep.DLQURL)
				require.Len(t, dead, 5)
				for _, m := range dead {
					assert.Contains(t, m.Attributes[sourceflow.MetaFailure], "before shutdown", m.Body)
				}
			})
		})
	}
}

// gatheredSQS answers every SendMessageBatch call as sent and keeps its
// entries, numbered anew, for the test to send in one call.
type gatheredSQS struct {
	awsbus.SQSAPI
	entries []sqstypes.SendMessageBatchRequestEntry
}

func (g *gatheredSQS) SendMessageBatch(_ context.Context, in *sqs.SendMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	out := &sqs.SendMessageBatchOutput{}
	for _, e := range in.Entries {
		out.Successful = append(out.Successful, sqstypes.SendMessageBatchResultEntry{Id: e.Id})
		e.Id = aws.String(strconv.Itoa(len(g.entries)))
		g.entries = append(g.entries, e)
	}
	return out, nil
}

// closeDuringPollWithBatch hands out a message of queue name, closes the
// subscriber while it is unacked and the long poll waits, sends five
// messages in one batch (three of one FIFO group, two of another) for
// that poll in one call, lets the heartbeat renew the handed-out message, acks it and
// returns once Close returned. It runs in a synctest bubble, on a fake
// that, as SQS, goes on with a poll its caller gave up.
func closeDuringPollWithBatch(t *testing.T, name string, maxReceives int) *wire {
	t.Helper()
	consumer := awsbus.ConsumerConfig{VisibilityTimeout: 120 * time.Second, WaitTime: 20 * time.Second, ShutdownTimeout: 100 * time.Second}
	w := newWireOn(t, awsbustest.NewSQS(awsbustest.SQSConfig{KeepCanceledPolls: true}), name, maxReceives,
		awsbus.SubscriberConfig{ConsumerConfig: consumer})
	require.NoError(t, w.pub.Publish(name, command("held", "a")))
	ch, err := w.sub.Subscribe(context.Background(), name)
	require.NoError(t, err)
	held := next(t, ch)
	time.Sleep(time.Second) // past the wait for more free slots (DeleteBatchDelay)
	synctest.Wait()
	require.Equal(t, 2, w.sqs.Calls("ReceiveMessage"), "the subscriber waits in its next long poll")

	closed := make(chan error, 1)
	go func() { closed <- w.sub.Close() }()
	synctest.Wait()
	var late []*message.Message
	for i, entity := range []string{"b", "b", "b", "c", "c"} {
		late = append(late, command(fmt.Sprintf("late-%d", i), entity))
	}
	// A FIFO publish sends at most one message of a group per call, and the
	// poll could answer between the calls: the entries are gathered and
	// sent in one call, which the poll returns whole.
	gathered := &gatheredSQS{SQSAPI: w.sqs}
	pub, err := awsbus.NewPublisher(awsbus.PublisherConfig{SQS: gathered, Resolve: func(string) (topology.Endpoint, error) { return w.ep, nil }})
	require.NoError(t, err)
	require.NoError(t, pub.Publish(name, late...))
	_, err = w.sqs.SendMessageBatch(context.Background(), &sqs.SendMessageBatchInput{QueueUrl: aws.String(w.ep.QueueURL), Entries: gathered.entries})
	require.NoError(t, err)
	time.Sleep(time.Second) // past the wait for more deletes (DeleteBatchDelay)
	synctest.Wait()
	for _, m := range w.sqs.Messages(w.ep.QueueURL) {
		if m.InFlight {
			assert.Contains(t, m.Body, `"held"`, "only the handed-out message is in flight")
		}
	}
	changes := w.sqs.Calls("ChangeMessageVisibilityBatch") // the releases' batches
	time.Sleep(70 * time.Second)                           // past half the visibility timeout
	synctest.Wait()
	require.Greater(t, w.sqs.Calls("ChangeMessageVisibilityBatch"), changes, "the heartbeat renewed the handed-out message")
	held.Ack()
	require.NoError(t, <-closed)
	return w
}
