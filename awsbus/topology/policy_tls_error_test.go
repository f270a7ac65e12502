package topology_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// A topic's policy that cannot be parsed is named a topic's policy in the
// error, not a queue's.
func TestRequireTopicSecureTransport_NamesTheTopicInAParseError(t *testing.T) {
	arn := "arn:aws:sns:eu-west-1:" + testAccount + ":order-events"
	_, _, err := topology.RequireTopicSecureTransport("{not json", arn)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "policy of topic")
	assert.NotContains(t, err.Error(), "policy of queue")
}
