package iac_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/awsbus/topology/iac"
)

// Two topics whose names differ only in characters a statement id cannot
// hold ("order-events", "orderevents") get statement ids of their own in
// the policy of a queue both send to: SQS refuses a policy whose statements
// share one.
func TestCloudFormationGivesEveryStatementOfAQueuePolicyItsOwnID(t *testing.T) {
	p, err := topology.New(sourceflow.Binding{
		Service: "audit",
		Routes: []sourceflow.Route{
			{Type: "orders.OrderCreated", Kind: sourceflow.KindEvent, Destination: "order-events"},
			{Type: "orders.OrderNoted", Kind: sourceflow.KindEvent, Destination: "orderevents"},
		},
		Listeners: []sourceflow.Listener{
			{Destination: "order-events", Kind: sourceflow.KindEvent, Types: []string{"orders.OrderCreated"}},
			{Destination: "orderevents", Kind: sourceflow.KindEvent, Types: []string{"orders.OrderNoted"}},
		},
	}, topology.Options{})
	require.NoError(t, err)
	for i := range p.Policies { // one queue that both topics send to, as a plan built by hand may say
		p.Policies[i].Topics = []string{"order-events", "orderevents"}
	}

	tpl := parseTemplate(t, must(iac.CloudFormation(p)))

	var policies int
	for _, r := range tpl.Resources {
		if r.Type != "AWS::SQS::QueuePolicy" {
			continue
		}
		policies++
		doc, ok := r.Properties["PolicyDocument"].(map[string]any)
		require.True(t, ok, "%v", r.Properties)
		sids := map[string]bool{}
		for _, s := range doc["Statement"].([]any) {
			sid := s.(map[string]any)["Sid"].(string)
			assert.False(t, sids[sid], "statement id %s twice", sid)
			sids[sid] = true
		}
		assert.Len(t, sids, 3, "the TLS statement and one per topic")
	}
	assert.Positive(t, policies)
}
