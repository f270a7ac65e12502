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

// optInSNSPrincipals is the Service of a statement letting in SNS of a
// topic of a region enabled by default: principal, and the deployed
// region's SNS principal too where the stack is deployed in an opt-in
// region.
func optInSNSPrincipals(principal string) any {
	return map[string]any{"Fn::If": []any{"InOptInRegion",
		[]any{principal, map[string]any{"Fn::Sub": "sns.${AWS::Region}.amazonaws.com"}}, principal}}
}

// A Terraform output names the deployed region's SNS principal where the
// provider's region is opt-in, choosing the whole policy document since
// HCL's conditional takes branches of one type.
func TestTerraformQueueDeployedInAnOptInRegionLetsInItsRegionalSNSPrincipal(t *testing.T) {
	tf, err := iac.Terraform(listenerPlan(t, "arn:aws:sns:us-east-1:111111111111:order-events", topology.Options{}))
	require.NoError(t, err)
	assert.Contains(t, string(tf), `data "aws_region" "current" {`)
	assert.Regexp(t, `policy\s+= contains\(\[.*"me-south-1".*\], data\.aws_region\.current\.region\) \? jsonencode\(\{`, string(tf))
	assert.Contains(t, string(tf), `format("sns.%s.amazonaws.com", data.aws_region.current.region)`)
}
