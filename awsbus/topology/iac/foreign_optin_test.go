package iac_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/awsbus/topology/iac"
)

// SNS delivering from a topic of an opt-in region (one launched after
// March 2019, such as ap-east-1) to a queue of another region is let in
// by the queue policy only under the regional principal
// sns.<opt-in-region>.amazonaws.com; under sns.amazonaws.com its
// deliveries are refused, and the event queue stays empty.
func TestAForeignTopicOfAnOptInRegionIsLetInByItsRegionalPrincipal(t *testing.T) {
	const topicARN = "arn:aws:sns:ap-east-1:111111111111:order-events"
	p := listenerPlan(t, topicARN, topology.Options{})

	tf, err := iac.Terraform(p)
	require.NoError(t, err)
	assert.Contains(t, string(tf), "sns.ap-east-1.amazonaws.com", "the queue policy's principal for a topic of ap-east-1:\n%s", tf)
}
