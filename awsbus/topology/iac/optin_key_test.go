package iac_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/sourceflow-go/sourceflow"
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
	p, err := topology.New(sourceflow.Binding{Service: "billing",
		Listeners: []sourceflow.Listener{{Destination: topicARN, Kind: sourceflow.KindEvent,
			Types: []string{"orders.OrderPlaced"}}}}, topology.Options{KMSKeyID: "alias/billing"})
	require.NoError(t, err)

	cfn, err := iac.CloudFormation(p)
	require.NoError(t, err)
	var doc struct {
		Resources map[string]struct {
			Type       string `yaml:"Type"`
			Properties struct {
				KeyPolicy struct {
					Statement []map[string]any `yaml:"Statement"`
				} `yaml:"KeyPolicy"`
				PolicyDocument struct {
					Statement []map[string]any `yaml:"Statement"`
				} `yaml:"PolicyDocument"`
			} `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	require.NoError(t, yaml.Unmarshal(cfn, &doc))
	want := map[string]any{"Service": []any{"sns.amazonaws.com", "sns.ap-east-1.amazonaws.com"}}
	principals := map[string][]any{}
	for _, r := range doc.Resources {
		for _, s := range append(r.Properties.KeyPolicy.Statement, r.Properties.PolicyDocument.Statement...) {
			if s["Sid"] == "SNSOfForeignTopics" || s["Sid"] == topology.PolicySid(topicARN) {
				principals[r.Type] = append(principals[r.Type], s["Principal"])
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
