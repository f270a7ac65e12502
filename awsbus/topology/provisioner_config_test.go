package topology_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// A client variable declared but never assigned is refused by
// NewProvisioner, naming the field, instead of panicking on the first call.
func TestNewProvisionerRefusesTypedNilClients(t *testing.T) {
	var sqsClient *sqs.Client
	var tables *dynamodb.Client
	_, err := topology.NewProvisioner(topology.ProvisionerConfig{SQS: sqsClient, SNS: awsbustest.NewSNS(awsbustest.NewSQS(awsbustest.SQSConfig{}), awsbustest.SNSConfig{}), DynamoDB: tables})
	require.ErrorIs(t, err, topology.ErrInvalidConfig)
	assert.ErrorContains(t, err, "SQS: nil *sqs.Client, must be set")
	assert.ErrorContains(t, err, "DynamoDB: nil *dynamodb.Client, must be non-nil")
}
