package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// deadLetterThroughAwsbus sends body with attrs to queue, has an awsbus
// subscriber logging to logs (nil: nowhere) fail it permanently, as cqrs
// fails a message it cannot decode, with a reason naming its UUID, waits
// until the subscriber has copied it to the queue's dead-letter queue and
// closed, and returns the SQS id of the message sent.
func (e *dlqEnv) deadLetterThroughAwsbus(t *testing.T, queue, body string, attrs map[string]sqstypes.MessageAttributeValue,
	logs watermill.LoggerAdapter) string {
	t.Helper()
	ctx := context.Background()
	sent, err := e.sqs.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl: aws.String(e.sqs.QueueURL(queue)), MessageBody: aws.String(body), MessageAttributes: attrs,
	})
	require.NoError(t, err)
	ep := topology.Endpoint{Name: queue, Kind: sourceflow.KindEvent, QueueURL: e.sqs.QueueURL(queue),
		DLQURL: e.sqs.QueueURL(queue + "-dlq"), MaxReceiveCount: 5}
	sub, err := awsbus.NewSubscriber(awsbus.SubscriberConfig{SQS: e.sqs.SQS,
		Resolve: func(string) (topology.Endpoint, error) { return ep, nil }, Logger: logs,
		ConsumerConfig: awsbus.ConsumerConfig{WaitTime: time.Second, ShutdownTimeout: 2 * time.Second}})
	require.NoError(t, err)
	ch, err := sub.Subscribe(ctx, queue)
	require.NoError(t, err)
	go func() {
		for m := range ch {
			m.Metadata.Set(sourceflow.MetaFailure, "message "+m.UUID+": cqrs: unknown type orders.Nope")
			m.Nack()
		}
	}()
	require.Eventually(t, func() bool {
		return len(e.messages(queue+"-dlq")) == 1 && len(e.messages(queue)) == 0
	}, 10*time.Second, 10*time.Millisecond)
	require.NoError(t, sub.Close())
	return aws.ToString(sent.MessageId)
}

// receiveAll receives the messages of queue with every attribute.
func (e *dlqEnv) receiveAll(t *testing.T, queue string) []sqstypes.Message {
	t.Helper()
	out, err := e.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
		QueueUrl: aws.String(e.sqs.QueueURL(queue)), MaxNumberOfMessages: 10, MessageAttributeNames: []string{"All"},
	})
	require.NoError(t, err)
	return out.Messages
}

// A message of another producer that fills the attribute budget is
// dead-lettered by awsbus with one of its attributes packed into sf_env
// beside the reason. A copy redrive sends it back with the attributes it
// was sent with: the reason removed, the attribute unpacked, no sf_env.
func TestDLQRedrive_CopyUnpacksTheAttributesOfAFullForeignMessage(t *testing.T) {
	t.Parallel()
	e := newDLQEnv(t)
	attrs := map[string]sqstypes.MessageAttributeValue{
		"count": {DataType: aws.String("Number"), StringValue: aws.String("7")},
	}
	for i := 1; len(attrs) < sourceflow.AttributeBudget; i++ {
		attrs[fmt.Sprintf("header_%d", i)] = sqstypes.MessageAttributeValue{
			DataType: aws.String("String"), StringValue: aws.String(fmt.Sprintf("value %d", i))}
	}
	e.deadLetterThroughAwsbus(t, "orders-order-events", `{"id":"o-1"}`, attrs, nil)
	require.Contains(t, e.messages("orders-order-events-dlq")[0].Attributes, sourceflow.MetaEnvelope, "packed on the way in")

	out, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq", "--method", "copy")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Moved 1 message ")
	assert.NotContains(t, out, "packed")
	moved := e.receiveAll(t, "orders-order-events")
	require.Len(t, moved, 1)
	assert.Equal(t, `{"id":"o-1"}`, aws.ToString(moved[0].Body))
	assert.Equal(t, attrs, moved[0].MessageAttributes, "the attributes the message was sent with")
}

// When the packed attributes would not fit in SQS's 10 once unpacked, they
// go back packed, the reason removed, and the report says so.
func TestDLQRedrive_CopyKeepsPackedWhatExceedsTheBudgetAndSaysSo(t *testing.T) {
	t.Parallel()
	e := newDLQEnv(t)
	attrs := map[string]string{sourceflow.MetaEnvelope: `{"sf_failure":"boom","extra_a":"a","extra_b":"b"}`}
	for i := 1; len(attrs) < sourceflow.AttributeBudget; i++ {
		attrs[fmt.Sprintf("header_%d", i)] = fmt.Sprintf("value %d", i)
	}
	_, err := e.sqs.SendMessage(context.Background(), &sqs.SendMessageInput{
		QueueUrl: aws.String(e.sqs.QueueURL("orders-order-events-dlq")), MessageBody: aws.String(`{"id":"o-1"}`),
		MessageAttributes: stringAttributes(attrs),
	})
	require.NoError(t, err)

	out, errOut, code := e.run(t, "dlq", "redrive", "-f", e.path, "--queue", "orders-order-events-dlq", "--method", "copy")

	require.Equal(t, cli.ExitOK, code, errOut)
	assert.Contains(t, out, "Moved 1 message ")
	assert.Contains(t, out, "1 message went back with attributes still packed in sf_env")
	moved := e.messages("orders-order-events")
	require.Len(t, moved, 1)
	var env map[string]string
	require.NoError(t, json.Unmarshal([]byte(moved[0].Attributes[sourceflow.MetaEnvelope]), &env))
	assert.Equal(t, map[string]string{"extra_a": "a", "extra_b": "b"}, env, "the reason removed")
	assert.Len(t, moved[0].Attributes, sourceflow.AttributeBudget)
}
