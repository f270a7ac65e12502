package awsbus_test

import (
	"context"
	"fmt"
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

// batchTarget is a destination on the fakes: where messages land, and the
// faults of the batch call that sends them.
type batchTarget struct {
	pub    *awsbus.Publisher
	dest   string
	faults *awsbustest.Faults
	op     string
	// landed returns the messages on the queue that receives them, in
	// the order they arrived.
	landed func() []awsbustest.Message
}

func sqsTarget(t *testing.T, name string) batchTarget {
	w := newWire(t, name, 5, awsbus.SubscriberConfig{})
	return batchTarget{pub: w.pub, dest: name, faults: &w.sqs.Faults, op: "SendMessageBatch",
		landed: func() []awsbustest.Message { return w.sqs.Messages(w.ep.QueueURL) }}
}

func snsTarget(t *testing.T, name string) batchTarget {
	q := awsbustest.NewSQS(awsbustest.SQSConfig{})
	n := awsbustest.NewSNS(q, awsbustest.SNSConfig{})
	ctx := context.Background()
	topic, err := n.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name + ".fifo"),
		Attributes: map[string]string{"FifoTopic": "true"}})
	require.NoError(t, err)
	out, err := q.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("billing.fifo"),
		Attributes: map[string]string{"FifoQueue": "true"}})
	require.NoError(t, err)
	_, err = n.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String(q.QueueARN("billing.fifo")), Attributes: map[string]string{"RawMessageDelivery": "true"}})
	require.NoError(t, err)
	ep := topology.Endpoint{Name: name + ".fifo", Kind: sourceflow.KindEvent, TopicARN: *topic.TopicArn, FIFO: true}
	pub, err := awsbus.NewPublisher(awsbus.PublisherConfig{SQS: q, SNS: n, Resolve: func(string) (topology.Endpoint, error) { return ep, nil }})
	require.NoError(t, err)
	return batchTarget{pub: pub, dest: ep.Name, faults: &n.Faults, op: "PublishBatch",
		landed: func() []awsbustest.Message { return q.Messages(*out.QueueUrl) }}
}

func TestPublisherFIFOStopsAtFirstFailure(t *testing.T) {
	cases := []struct {
		name       string
		target     func(t *testing.T) batchTarget
		entryFault bool
		wantFailed int // of 15 messages in batches of 10 and 5
		wantLanded int
		wantCalls  int
		notSent    int // failures reported as not sent
	}{
		{"FIFO queue, failed batch", func(t *testing.T) batchTarget { return sqsTarget(t, "orders.fifo") }, false, 15, 0, 1, 5},
		{"FIFO queue, failed entry", func(t *testing.T) batchTarget { return sqsTarget(t, "orders.fifo") }, true, 6, 9, 1, 5},
		{"FIFO topic, failed batch", func(t *testing.T) batchTarget { return snsTarget(t, "order-events") }, false, 15, 0, 1, 5},
		{"FIFO topic, failed entry", func(t *testing.T) batchTarget { return snsTarget(t, "order-events") }, true, 6, 9, 1, 5},
		{"standard queue goes on", func(t *testing.T) batchTarget { return sqsTarget(t, "orders") }, false, 10, 5, 2, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tg := tc.target(t)
			var msgs []*message.Message
			for i := range 15 {
				msgs = append(msgs, command(fmt.Sprint(i), fmt.Sprint("order-", i%10))) // one per group per batch
			}
			if tc.entryFault {
				tg.faults.FailNextEntries(tg.op, 1)
			} else {
				tg.faults.FailNext(tg.op, 1, nil)
			}
			err := tg.pub.Publish(tg.dest, msgs...)
			var pe *awsbus.PublishError
			require.ErrorAs(t, err, &pe)
			assert.Len(t, pe.Failed, tc.wantFailed)
			notSent := 0
			for _, f := range pe.Failed {
				if f.Reason == "not sent: an earlier batch call of this FIFO publish failed, sending the rest could break group order" {
					notSent++
				}
			}
			assert.Equal(t, tc.notSent, notSent)
			assert.Len(t, tg.landed(), tc.wantLanded)
			assert.Equal(t, tc.wantCalls, tg.faults.Calls(tg.op))
		})
	}
}
