package iac_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/awsbus/topology/iac"
)

// A topic shared by a service with a key and tags (orders) and one without
// (shipping) takes the key and the union of the tags; a queue takes the tags
// of the service that consumes it.
func TestSharedTopicsMergeTheKeyAndTheTagsOfTheirServices(t *testing.T) {
	shipping := shippingPlan(t, topology.Options{Tags: map[string]string{"env": "prod"}})
	tpl := parseTemplate(t, must(iac.CloudFormation(append(examplePlans(t), shipping)...)))

	_, topic := tpl.byName("AWS::SNS::Topic", "TopicName", "order-events")
	require.NotNil(t, topic)
	assert.Equal(t, map[string]any{"Ref": "OrdersKeyAlias"}, topic["KmsMasterKeyId"], "the key of the service that sets one")
	assert.ElementsMatch(t, []any{
		map[string]any{"Key": "cost-center", "Value": "4711"},
		map[string]any{"Key": "env", "Value": "prod"},
		map[string]any{"Key": "team", "Value": "checkout"},
	}, topic["Tags"])
	_, queue := tpl.byName("AWS::SQS::Queue", "QueueName", "shipping-order-events")
	require.NotNil(t, queue)
	assert.Equal(t, []any{map[string]any{"Key": "env", "Value": "prod"}}, queue["Tags"], "the consumer's tags")
	assert.Nil(t, queue["KmsMasterKeyId"], "shipping does not encrypt")
	assert.Equal(t, true, queue["SqsManagedSseEnabled"])
}

// Two services that set one tag of a shared topic to two values are a
// conflict: each one's provisioning would report the other's as drift.
func TestSharedTopicsRefuseATagSetToTwoValues(t *testing.T) {
	shipping := shippingPlan(t, topology.Options{Tags: map[string]string{"team": "shipping"}})

	_, err := iac.CloudFormation(append(examplePlans(t), shipping)...)

	require.ErrorIs(t, err, iac.ErrConflict)
	assert.Contains(t, err.Error(), `topic "order-events": service "orders" tags it team="checkout" and service "shipping" team="shipping"`)
}

// Two services that encrypt a shared topic under two keys are a conflict.
func TestSharedTopicsRefuseTwoKeys(t *testing.T) {
	shipping := shippingPlan(t, topology.Options{KMSKeyID: "alias/shipping"})

	_, err := iac.Terraform(append(examplePlans(t), shipping)...)

	require.ErrorIs(t, err, iac.ErrConflict)
	assert.Contains(t, err.Error(), `topic "order-events"`)
}
