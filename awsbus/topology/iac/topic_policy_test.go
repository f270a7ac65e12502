package iac_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
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

// A topic's policy resource (AWS::SNS::TopicPolicy, aws_sns_topic_policy)
// owns the topic's whole policy, so it is rendered only for the topics a
// service of the output publishes to, its own: a topic the exported
// services only listen to is its publisher's, whose policy (a
// cross-account subscribe grant among its statements) the output must not
// replace, as topology's Create leaves it alone.
func TestTopicPolicyOnlyForTheTopicsAServiceOfTheOutputPublishesTo(t *testing.T) {
	audit, err := topology.New(sourceflow.Binding{Service: "audit", Listeners: []sourceflow.Listener{
		{Destination: "order-events", Kind: sourceflow.KindEvent, Types: []string{"orders.OrderCreated"}},
		{Destination: "payment-events", Kind: sourceflow.KindEvent, Types: []string{"payments.PaymentProcessed"}},
	}}, topology.Options{})
	require.NoError(t, err)
	for _, c := range []struct {
		name     string
		plans    []topology.Plan
		policies []string
	}{
		{"listener alone", []topology.Plan{audit}, nil},
		{"with a publisher", []topology.Plan{audit, shippingPlan(t, topology.Options{})}, []string{"order-events", "shipments.fifo"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tpl := parseTemplate(t, must(iac.CloudFormation(c.plans...)))
			var topics, policies []string
			for _, r := range tpl.Resources {
				switch r.Type {
				case "AWS::SNS::Topic":
					topics = append(topics, r.Properties["TopicName"].(string))
				case "AWS::SNS::TopicPolicy":
					ref := r.Properties["Topics"].([]any)[0].(map[string]any)["Ref"].(string)
					policies = append(policies, tpl.Resources[ref].Properties["TopicName"].(string))
				}
			}
			assert.Contains(t, topics, "payment-events", "the topic is still rendered")
			assert.ElementsMatch(t, c.policies, policies)
			tf := string(must(iac.Terraform(c.plans...)))
			assert.Equal(t, len(c.policies), strings.Count(tf, `resource "aws_sns_topic_policy" `), tf)
		})
	}
}
