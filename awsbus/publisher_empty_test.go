package awsbus_test

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// SQS and SNS refuse an empty body. Publish checks every message before
// sending ("if any fails, nothing is sent", a permanent error), so a
// message with an empty payload must be refused there, not sent in a batch
// whose other messages go out while it fails with a retryable error.
func TestPublishRefusesAnEmptyPayloadBeforeSending(t *testing.T) {
	f := awsbustest.NewSQS(awsbustest.SQSConfig{})
	q, err := f.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String("orders")})
	require.NoError(t, err)
	ep := topology.Endpoint{Name: "orders", Kind: sourceflow.KindCommand, QueueURL: *q.QueueUrl}
	pub, err := awsbus.NewPublisher(awsbus.PublisherConfig{SQS: f, Resolve: func(string) (topology.Endpoint, error) { return ep, nil }})
	require.NoError(t, err)

	full := message.NewMessage("full", []byte(`{"id":"1"}`))
	empty := message.NewMessage("empty", nil)
	err = pub.Publish("orders", full, empty)

	require.Error(t, err)
	assert.True(t, sourceflow.IsPermanent(err), "an empty body can never be sent: %v", err)
	assert.Empty(t, f.Messages(ep.QueueURL), "nothing is sent when a message fails the checks")
}
