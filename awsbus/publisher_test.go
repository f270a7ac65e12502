package awsbus_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

func TestPublisherBatchesAndFIFOIDs(t *testing.T) {
	w := newWire(t, "orders.fifo", 5, awsbus.SubscriberConfig{})
	var msgs []*message.Message
	for i := range 23 {
		msgs = append(msgs, command(fmt.Sprint(i), fmt.Sprintf("order-%d", i%10)))
	}
	long := command(strings.Repeat("x", 200), "order-long") // message id over 128 chars
	msgs = append(msgs, long)
	require.NoError(t, w.pub.Publish("orders.fifo", msgs...))
	assert.Equal(t, 3, w.sqs.Calls("SendMessageBatch"), "24 messages in batches of at most 10")
	assert.Equal(t, 0, w.sqs.Calls("SendMessage"))
	got := w.sqs.Messages(w.ep.QueueURL)
	require.Len(t, got, 24)
	assert.Equal(t, "order-0", got[0].GroupID)
	assert.Equal(t, "0", got[0].DeduplicationID)
	assert.Len(t, got[23].DeduplicationID, 64, "hashed to fit")

	require.NoError(t, w.pub.Publish("orders.fifo", command("0", "order-0")))
	assert.Len(t, w.sqs.Messages(w.ep.QueueURL), 24, "same message id is deduplicated")
}

func TestPublisherRejectsBeforeSending(t *testing.T) {
	w := newWire(t, "orders.fifo", 5, awsbus.SubscriberConfig{})
	noEntity := command("n", "")
	delete(noEntity.Metadata, sourceflow.MetaEntityID)
	tooMany := command("t", "e")
	for i := range 10 {
		tooMany.Metadata.Set(fmt.Sprintf("extra%d", i), "v")
	}
	big := command("b", "e")
	big.Payload = []byte(strings.Repeat("a", awsbus.MaxSQSMessageBytes))
	binary := command("x", "e")
	binary.Payload = []byte{0xff, 0x00}
	empty := command("z", "e")
	empty.Payload = nil // SQS and SNS refuse an empty body
	tests := []struct {
		name string
		msg  *message.Message
		want error
	}{
		{"FIFO without entity id", noEntity, awsbus.ErrMissingEntityID},
		{"attribute budget", tooMany, awsbus.ErrAttributeBudget},
		{"size", big, awsbus.ErrMessageTooLarge},
		{"binary payload", binary, awsbus.ErrInvalidPayload},
		{"empty payload", empty, awsbus.ErrInvalidPayload},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := w.pub.Publish("orders.fifo", command("ok-"+tt.name, "e"), tt.msg)
			require.ErrorIs(t, err, tt.want)
			assert.True(t, sourceflow.IsPermanent(err), "the message is at fault: not worth a retry, nor a strike against the destination")
			assert.Contains(t, err.Error(), tt.msg.UUID)
			assert.Empty(t, w.sqs.Messages(w.ep.QueueURL), "nothing of the call was sent")
		})
	}
	var be *awsbus.BudgetError
	require.ErrorAs(t, w.pub.Publish("orders.fifo", tooMany), &be)
	assert.Equal(t, 12, be.Count)
	var se *awsbus.SizeError
	require.ErrorAs(t, w.pub.Publish("orders.fifo", big), &se)
	assert.Equal(t, awsbus.MaxSQSMessageBytes, se.Limit)
}

func TestPublisherPartialBatchFailure(t *testing.T) {
	w := newWire(t, "orders", 5, awsbus.SubscriberConfig{})
	w.sqs.FailNextEntries("SendMessageBatch", 1)
	err := w.pub.Publish("orders", command("a", "e"), command("b", "e"), command("c", "e"))
	var pe *awsbus.PublishError
	require.ErrorAs(t, err, &pe)
	require.Len(t, pe.Failed, 1)
	assert.Equal(t, "uuid-a", pe.Failed[0].UUID)
	assert.ErrorIs(t, err, awsbus.ErrPublishFailed)
	assert.Len(t, w.sqs.Messages(w.ep.QueueURL), 2, "the others were sent")
}

func TestPublisherEventsToSNSAndClose(t *testing.T) {
	q := awsbustest.NewSQS(awsbustest.SQSConfig{})
	n := awsbustest.NewSNS(q, awsbustest.SNSConfig{})
	ctx := context.Background()
	topic, err := n.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("order-events")})
	require.NoError(t, err)
	url := createQueue(t, q, "billing-events")
	_, err = n.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String(q.QueueARN("billing-events")), Attributes: map[string]string{"RawMessageDelivery": "true"}})
	require.NoError(t, err)
	ep := topology.Endpoint{Name: "order-events", Kind: sourceflow.KindEvent, TopicARN: *topic.TopicArn}
	pub, err := awsbus.NewPublisher(awsbus.PublisherConfig{SQS: q, SNS: n, Resolve: func(string) (topology.Endpoint, error) { return ep, nil }})
	require.NoError(t, err)

	require.NoError(t, pub.Publish("order-events", command("e1", "o")))
	require.NoError(t, pub.Publish("order-events", command("e2", "o"), command("e3", "o")))
	assert.Equal(t, 1, n.Calls("Publish"))
	assert.Equal(t, 1, n.Calls("PublishBatch"))
	got := q.Messages(url)
	require.Len(t, got, 3)
	assert.Equal(t, "orders.CreateOrder", got[0].Attributes[sourceflow.MetaType], "raw delivery keeps attributes")

	big := command("big", "o")
	big.Payload = []byte(strings.Repeat("a", awsbus.MaxSNSMessageBytes))
	require.ErrorIs(t, pub.Publish("order-events", big), awsbus.ErrMessageTooLarge)

	require.NoError(t, pub.Close())
	require.ErrorIs(t, pub.Publish("order-events", command("late", "o")), awsbus.ErrPublisherClosed)
	assert.Len(t, q.Messages(url), 3)
}

func createQueue(t *testing.T, q *awsbustest.SQS, name string) string {
	t.Helper()
	out, err := q.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name)})
	require.NoError(t, err)
	return *out.QueueUrl
}

func TestPublisherConfigValidate(t *testing.T) {
	_, err := awsbus.NewPublisher(awsbus.PublisherConfig{FallbackGroupID: "has space"})
	require.ErrorIs(t, err, awsbus.ErrInvalidConfig)
	for _, field := range []string{"SQS", "Resolve", "FallbackGroupID"} {
		assert.Contains(t, err.Error(), "PublisherConfig."+field)
	}
}
