package iac_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/awsbus/topology/iac"
)

// SNS delivering from a topic of an opt-in region to a queue of another
// region, encrypted under the key the output creates, calls KMS as
// sns.<opt-in-region>.amazonaws.com: the key policy and the queue policy
// (the event queue's, and its dead-letter queue's for the subscription's
// redrive) name that principal besides sns.amazonaws.com.
func TestAForeignTopicOfAnOptInRegionMayUseTheKeyUnderItsRegionalPrincipal(t *testing.T) {
	const topicARN = "arn:aws:sns:ap-east-1:111111111111:order-events"
	p := listenerPlan(t, topicARN, topology.Options{KMSKeyID: "alias/billing"})

	cfn, err := iac.CloudFormation(p)
	require.NoError(t, err)
	want := map[string]any{"Service": []any{"sns.amazonaws.com", "sns.ap-east-1.amazonaws.com"}}
	principals := map[string][]any{}
	for typ, stmts := range policyStatements(t, cfn) {
		for _, s := range stmts {
			if s["Sid"] == "SNSOfForeignTopics" || s["Sid"] == topology.PolicySid(topicARN) {
				principals[typ] = append(principals[typ], s["Principal"])
			}
		}
	}
	require.Len(t, principals, 2, "the key policy and the queue policies let the topic in:\n%s", cfn)
	for typ, list := range principals {
		for _, p := range list {
			assert.Equal(t, want, p, "%s", typ)
		}
	}
}
