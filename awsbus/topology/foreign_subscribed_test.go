package topology_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// The foreign topics a plan subscribes to are the subscriptions' topics
// named by ARN, sorted, each once, without the service's own topics.
func TestPlan_SubscribedForeignTopics(t *testing.T) {
	const a, b = "arn:aws:sns:eu-west-1:111111111111:a-events", "arn:aws:sns:us-east-1:222222222222:b-events"
	p := topology.Plan{Subscriptions: []topology.Subscription{
		{Topic: b, Queue: "billing-events"}, {Topic: "billing-own", Queue: "billing-events"},
		{Topic: a, Queue: "billing-events"}, {Topic: b, Queue: "billing-audit"},
	}}
	assert.Equal(t, []string{a, b}, p.SubscribedForeignTopics())
	assert.Empty(t, topology.Plan{}.SubscribedForeignTopics())
}
