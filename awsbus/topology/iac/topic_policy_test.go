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

// Every topic of the output gets a policy refusing publishing without TLS,
// the statement topology's Validate looks for on a topic, as every queue
// gets one refusing requests without TLS.
func TestEveryTopicRefusesPublishingWithoutTLS(t *testing.T) {
	plans := append(examplePlans(t), shippingPlan(t, topology.Options{}))
	tpl := parseTemplate(t, must(iac.CloudFormation(plans...)))
	topics, policies := 0, map[string]map[string]any{}
	for id, r := range tpl.Resources {
		switch r.Type {
		case "AWS::SNS::Topic":
			topics++
		case "AWS::SNS::TopicPolicy":
			refs := r.Properties["Topics"].([]any)
			require.Len(t, refs, 1, id)
			policies[refs[0].(map[string]any)["Ref"].(string)] = r.Properties["PolicyDocument"].(map[string]any)
		}
	}
	require.NotZero(t, topics)
	assert.Len(t, policies, topics, "one policy per topic")
	for topicID, doc := range policies {
		topic, ok := tpl.Resources[topicID]
		require.True(t, ok, "the policy of %s names a topic of the output", topicID)
		arn := "arn:aws:sns:us-east-1:111122223333:" + topic.Properties["TopicName"].(string)
		for _, s := range doc["Statement"].([]any) {
			stmt := s.(map[string]any)
			if assert.Equal(t, map[string]any{"Ref": topicID}, stmt["Resource"]) {
				stmt["Resource"] = arn // as CloudFormation resolves it
			}
		}
		b, err := json.Marshal(doc)
		require.NoError(t, err)
		assert.True(t, topology.TopicRefusesInsecureTransport(string(b), arn), "policy of %s: %s", topicID, b)
	}

	tf := string(must(iac.Terraform(plans...)))
	assert.Equal(t, strings.Count(tf, `resource "aws_sns_topic" `), strings.Count(tf, `resource "aws_sns_topic_policy" `), tf)
}
