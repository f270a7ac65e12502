package iac_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/awsbus/topology/iac"
)

// SNS redrives a subscription's undeliverable messages only to a queue of
// the subscription's account and region. A subscription to a topic named
// by ARN is made in the topic's region, so its redrive policy, naming the
// service's dead-letter queue, is rendered for a deployment in that region
// only, as topology.Provisioner.Create sets it only then.
func TestForeignSubscriptionRedrivesOnlyInTheTopicsRegion(t *testing.T) {
	const topicARN = "arn:aws:sns:eu-west-1:111111111111:order-events"
	p := listenerPlan(t, topicARN, topology.Options{})

	cfn, err := iac.CloudFormation(p)
	require.NoError(t, err)
	var doc struct {
		Conditions map[string]any `yaml:"Conditions"`
		Resources  map[string]struct {
			Type       string         `yaml:"Type"`
			Properties map[string]any `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	require.NoError(t, yaml.Unmarshal(cfn, &doc))
	var redrive any
	for _, r := range doc.Resources {
		if r.Type == "AWS::SNS::Subscription" {
			redrive = r.Properties["RedrivePolicy"]
		}
	}
	conditional, _ := redrive.(map[string]any)
	cond, ok := conditional["Fn::If"].([]any)
	require.True(t, ok, "RedrivePolicy is not conditional on the region: %v\n%s", redrive, cfn)
	require.Len(t, cond, 3)
	assert.Equal(t, map[string]any{"Fn::Equals": []any{map[string]any{"Ref": "AWS::Region"}, "eu-west-1"}},
		doc.Conditions[cond[0].(string)])
	assert.Contains(t, cond[1], "deadLetterTargetArn")
	assert.Equal(t, map[string]any{"Ref": "AWS::NoValue"}, cond[2])

	tf, err := iac.Terraform(p)
	require.NoError(t, err)
	assert.Contains(t, string(tf), `data "aws_region" "current" {`)
	assert.Regexp(t, `redrive_policy\s+= data\.aws_region\.current\.region == "eu-west-1" \? jsonencode\(\{`, string(tf))
	assert.Regexp(t, `\}\) : null\n`, string(tf))
}

// SNS delivering from another account's topic to the service's event
// queue, encrypted under the key the output creates, calls KMS with that
// topic's ARN and its owner's account as source: the key policy lets it,
// under the deployed region's SNS principal too where that is opt-in.
func TestForeignTopicMayUseTheKeyOfTheQueueItDeliversTo(t *testing.T) {
	const topicARN = "arn:aws:sns:eu-west-1:111111111111:order-events"
	p := listenerPlan(t, topicARN, topology.Options{KMSKeyID: "alias/billing"})

	cfn, err := iac.CloudFormation(p)
	require.NoError(t, err)
	var found bool
	for _, s := range policyStatements(t, cfn)["AWS::KMS::Key"] {
		cond, _ := s["Condition"].(map[string]any)
		equals, _ := cond["StringEquals"].(map[string]any)
		like, _ := cond["ArnLike"].(map[string]any)
		found = found || assert.ObjectsAreEqual(map[string]any{"Service": optInSNSPrincipals("sns.amazonaws.com")}, s["Principal"]) &&
			assert.ObjectsAreEqual([]any{"111111111111"}, equals["aws:SourceAccount"]) &&
			assert.ObjectsAreEqual([]any{topicARN}, like["aws:SourceArn"])
	}
	assert.True(t, found, "no key policy statement lets SNS of account 111111111111 use the key for %s:\n%s", topicARN, cfn)
}
