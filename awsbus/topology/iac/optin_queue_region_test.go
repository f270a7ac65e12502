package iac_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/awsbus/topology/iac"
)

// An output deployed in an opt-in region (me-south-1) whose queue listens
// to a topic of a region enabled by default is called by SNS as
// sns.me-south-1.amazonaws.com (topology.SNSPrincipals("us-east-1",
// "me-south-1")): the queue policy lets that principal in where the output
// is deployed in an opt-in region, through the deployed region, as it
// does the topic's regional principal for a topic of an opt-in region.
func TestAQueueDeployedInAnOptInRegionLetsInItsRegionalSNSPrincipal(t *testing.T) {
	const topicARN = "arn:aws:sns:us-east-1:111111111111:order-events"
	require.Contains(t, topology.SNSPrincipals("us-east-1", "me-south-1"), "sns.me-south-1.amazonaws.com")
	cfn, err := iac.CloudFormation(listenerPlan(t, topicARN, topology.Options{}))
	require.NoError(t, err)
	var principal string
	for _, s := range policyStatements(t, cfn)["AWS::SQS::QueuePolicy"] {
		if s["Sid"] == topology.PolicySid(topicARN) {
			b, err := json.Marshal(s["Principal"])
			require.NoError(t, err)
			principal = string(b)
		}
	}
	require.NotEmpty(t, principal, "the queue policy lets the topic in:\n%s", cfn)
	assert.True(t, strings.Contains(principal, "me-south-1") || strings.Contains(principal, "AWS::Region"),
		"the principal depends on the region deployed in: %s", principal)
}
