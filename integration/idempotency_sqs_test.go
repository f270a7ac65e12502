//go:build integration

package integration

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
)

// idemSQSConsumer is a minimal SQS receive loop: it turns each SQS message
// into a Watermill message (UUID = SQS MessageId, metadata = attributes),
// runs the handler and deletes the message only when the handler succeeds;
// otherwise SQS redelivers it after the visibility timeout.
type idemSQSConsumer struct {
	client  *sqs.Client
	url     string
	handler message.HandlerFunc
}

func (c idemSQSConsumer) run(ctx context.Context) error {
	for ctx.Err() == nil {
		out, err := c.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: &c.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
			MessageAttributeNames: []string{"All"},
		})
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		for _, m := range out.Messages {
			msg := message.NewMessage(aws.ToString(m.MessageId), []byte(aws.ToString(m.Body)))
			for k, v := range m.MessageAttributes {
				msg.Metadata.Set(k, aws.ToString(v.StringValue))
			}
			msg.SetContext(ctx)
			if _, err := c.handler(msg); err != nil {
				continue // not deleted: redelivered after the visibility timeout
			}
			if _, err := c.client.DeleteMessage(context.WithoutCancel(ctx), &sqs.DeleteMessageInput{
				QueueUrl: &c.url, ReceiptHandle: m.ReceiptHandle,
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

func idemSendSQS(t *testing.T, client *sqs.Client, url, id string) {
	t.Helper()
	_, err := client.SendMessage(context.Background(), &sqs.SendMessageInput{
		QueueUrl: &url, MessageBody: aws.String("body of " + id),
		MessageAttributes: map[string]sqstypes.MessageAttributeValue{
			sourceflow.MetaMessageID: {DataType: aws.String("String"), StringValue: aws.String(id)},
		},
	})
	require.NoError(t, err)
}

// idemQueue creates a standard queue with a one-second visibility timeout,
// deleted after the test.
func idemQueue(t *testing.T, client *sqs.Client) string {
	q, err := client.CreateQueue(context.Background(), &sqs.CreateQueueInput{
		QueueName:  aws.String(uniqueName("idem", "")),
		Attributes: map[string]string{"VisibilityTimeout": "1"},
	})
	require.NoError(t, err)
	url := aws.ToString(q.QueueUrl)
	t.Cleanup(func() { _, _ = client.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: &url}) })
	return url
}

// TestIdempotency_SQSCrashedConsumerAndProducerRetries: on LocalStack SQS
// with a one-second visibility timeout, consumer a dies inside the handler of
// one message; SQS redelivers it to the live consumers b and c, which refuse
// it while a's lease lives and process it once after. Every other message is
// sent twice (a producer retry: new SQS MessageId, same SourceFlow id) and
// also takes effect once.
func TestIdempotency_SQSCrashedConsumerAndProducerRetries(t *testing.T) {
	const lease, others = 3 * time.Second, 20
	client := sqs.NewFromConfig(awsConfig(t))
	url := idemQueue(t, client)
	table := idemTable()
	dropIdemTable(t, table)
	cfg := idempotency.MiddlewareConfig{Consumer: "orders", Lease: lease}
	a, b, c := newIdemInstance(t, table, cfg), newIdemInstance(t, table, cfg), newIdemInstance(t, table, cfg)

	idemCrashOnSQS(t, client, url, a)

	effects := &idemEffects{m: map[string]int{}}
	stop := idemRunConsumers(client, url, effects.record, b, c)
	for i := range others {
		id := fmt.Sprintf("order-%d", i)
		idemSendSQS(t, client, url, id)
		idemSendSQS(t, client, url, id) // the producer's retry
	}

	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.Equal(c, others+1, effects.len())
		visible, inFlight, err := queueDepth(context.Background(), client, url)
		require.NoError(c, err)
		assert.Zero(c, visible+inFlight)
	}, 90*time.Second, 250*time.Millisecond, "not every message was processed and deleted")
	require.NoError(t, stop())

	for id, n := range effects.snapshot() {
		assert.Equal(t, 1, n, "side effects of %s", id)
	}
	assert.Equal(t, 1, effects.snapshot()["crash-me"])
	sb, sc := b.mw.Stats(), c.mw.Stats()
	assert.Positive(t, sb.InProgress+sc.InProgress, "the crashed consumer's lease refused redeliveries")
	assert.Equal(t, uint64(others+1), sb.Completed+sc.Completed)
	assert.GreaterOrEqual(t, sb.Duplicates+sc.Duplicates, uint64(others), "every producer retry was a duplicate")
	assert.Equal(t, uint64(1), a.mw.Stats().Claims)
}

// idemRunConsumers runs one SQS consumer per instance until the returned
// stop is called; stop returns the consumers' errors.
func idemRunConsumers(client *sqs.Client, url string, h message.NoPublishHandlerFunc, insts ...*idemInstance) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	errs := make([]error, len(insts))
	for i, inst := range insts {
		wg.Go(func() { errs[i] = idemSQSConsumer{client, url, inst.mw.Middleware(idemNoPublish(h))}.run(ctx) })
	}
	return func() error {
		cancel()
		wg.Wait()
		return errors.Join(errs...)
	}
}

// idemCrashOnSQS runs a consumer for instance a, sends the message
// "crash-me" and kills the consumer once its handler has claimed it: the
// process is gone, so it neither completes, releases nor deletes.
func idemCrashOnSQS(t *testing.T, client *sqs.Client, url string, a *idemInstance) {
	crash := newIdemCrashingHandler(t, "crash-me")
	ctxA, killA := context.WithCancel(context.Background())
	go func() { _ = idemSQSConsumer{client, url, a.mw.Middleware(idemNoPublish(crash.handle))}.run(ctxA) }()
	idemSendSQS(t, client, url, "crash-me")
	<-crash.claimed
	killA()
}

func idemNoPublish(h message.NoPublishHandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) { return nil, h(msg) }
}
