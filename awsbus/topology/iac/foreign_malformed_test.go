package iac_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/awsbus/topology/iac"
)

// A plan built by hand that subscribes to a malformed topic ARN is
// refused with an error naming it, by both renderers, and neither panics.
func TestAMalformedTopicARNOfAPlanIsRefused(t *testing.T) {
	const bad = "arn:aws:sns:eu-west-1"
	p := topology.Plan{Service: "billing", KMSKeyID: "alias/billing",
		Queues:        []topology.Queue{{Name: "billing-order-events", Owned: true}, {Name: "billing-order-events-dlq", Owned: true}},
		Subscriptions: []topology.Subscription{{Topic: bad, Queue: "billing-order-events", DLQ: "billing-order-events-dlq"}},
		Policies:      []topology.Policy{{Queue: "billing-order-events", Topics: []string{bad}}},
	}
	for name, render := range map[string]func(...topology.Plan) ([]byte, error){
		"terraform": iac.Terraform, "cloudformation": iac.CloudFormation,
	} {
		var err error
		require.NotPanics(t, func() { _, err = render(p) }, name)
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), bad, name)
	}
}
