package awsbus_test

import (
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
)

// A client or logger variable declared but never assigned is refused by the
// constructor, naming the field, instead of panicking on the first call.
func TestConstructorsRefuseTypedNils(t *testing.T) {
	var sqsClient *sqs.Client
	var snsClient *sns.Client
	var logger *watermill.StdLoggerAdapter

	_, err := awsbus.NewTransport(awsbus.Clients{SQS: sqsClient, SNS: snsClient}, awsbus.Config{Logger: logger})
	require.ErrorIs(t, err, awsbus.ErrInvalidConfig)
	assert.ErrorContains(t, err, "Clients.SQS: nil *sqs.Client, must be set")
	assert.ErrorContains(t, err, "Clients.SNS: nil *sns.Client, must be set")
	assert.ErrorContains(t, err, "Logger: nil *watermill.StdLoggerAdapter, must be non-nil or left unset")

	_, err = awsbus.NewPublisher(awsbus.PublisherConfig{SQS: sqsClient, Logger: logger})
	require.ErrorIs(t, err, awsbus.ErrInvalidConfig)
	assert.ErrorContains(t, err, "PublisherConfig.SQS: nil *sqs.Client, must be set")
	assert.ErrorContains(t, err, "PublisherConfig.Logger: nil *watermill.StdLoggerAdapter")

	_, err = awsbus.NewSubscriber(awsbus.SubscriberConfig{SQS: sqsClient, Logger: logger})
	require.ErrorIs(t, err, awsbus.ErrInvalidConfig)
	assert.ErrorContains(t, err, "SubscriberConfig.SQS: nil *sqs.Client, must be set")
	assert.ErrorContains(t, err, "SubscriberConfig.Logger: nil *watermill.StdLoggerAdapter")
}
