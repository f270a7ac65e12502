package awsbus_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
)

// A KMS key ARN of another region than the clients' is refused when the
// transport is built: SQS, SNS and the envelope encryption's KMS client
// cannot use it, and the health check would call it missing.
func TestNewTransportRefusesAKeyOfAnotherRegion(t *testing.T) {
	const keyARN = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	sq := awsbustest.NewSQS(awsbustest.SQSConfig{})
	clients := awsbus.Clients{SQS: sq, SNS: awsbustest.NewSNS(sq, awsbustest.SNSConfig{}), Region: "us-east-1"}

	_, err := awsbus.NewTransport(clients, awsbus.Config{KMSKeyID: keyARN})
	require.ErrorIs(t, err, awsbus.ErrInvalidConfig)
	assert.ErrorContains(t, err, "KMSKeyID \""+keyARN+"\": the key is in eu-west-1, the service in us-east-1")
	assert.ErrorContains(t, err, "multi-Region replica, mrk-…, in us-east-1")

	clients.Region = "eu-west-1"
	_, err = awsbus.NewTransport(clients, awsbus.Config{KMSKeyID: keyARN})
	assert.NoError(t, err, "a key of the clients' region")
}
