package topology_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// A malformed ARN's error shows the form in the ARN's partition, or in
// its region's when it names none, not always "arn:aws:".
func TestParseForeign_TheWantedFormIsInTheARNsPartition(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws-cn:sns:cn-north-1:1:orders":   "want arn:aws-cn:sns:",
		"arn::sns:cn-north-1:111111111111:x":   "want arn:aws-cn:sns:",
		"arn:aws-us-gov:sns:us-gov-west-1:1:x": "want arn:aws-us-gov:sns:",
		"arn:aws:sns:eu-west-1:1:orders":       "want arn:aws:sns:",
	} {
		_, err := topology.ParseForeign(arn, sourceflow.KindEvent)
		require.ErrorIs(t, err, topology.ErrInvalidConfig, arn)
		assert.Contains(t, err.Error(), want, arn)
	}
}

// An ARN whose partition is not its region's is refused, naming both.
func TestParseForeign_RefusesAPartitionThatIsNotTheRegions(t *testing.T) {
	_, err := topology.ParseForeign("arn:aws:sns:cn-north-1:111111111111:orders", sourceflow.KindEvent)
	require.ErrorIs(t, err, topology.ErrInvalidConfig)
	assert.Contains(t, err.Error(), `partition "aws", but region cn-north-1 is in aws-cn`)
}

// Destinations named by ARN in two partitions are refused: a service
// reaches one partition's resources only.
func TestTopology_RefusesForeignDestinationsOfTwoPartitions(t *testing.T) {
	cn := "arn:aws-cn:sns:cn-north-1:111111111111:order-events"
	_, err := topology.New(listening("billing", foreignTopicARN, cn), topology.Options{})
	require.ErrorIs(t, err, topology.ErrInvalidConfig)
	assert.Contains(t, err.Error(), cn)
	assert.Contains(t, err.Error(), foreignTopicARN)
	assert.Contains(t, err.Error(), "partition")
}
