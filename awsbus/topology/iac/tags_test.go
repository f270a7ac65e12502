package iac_test

import (
	"fmt"
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

// Two services whose tags are each within AWS's limit but not together
// cannot tag a topic or table they share with all of them: the export is
// refused rather than failing at deployment.
func TestSharedResourcesRefuseMoreTagsTogetherThanAWSAllows(t *testing.T) {
	tags := func(prefix string, n int) map[string]string {
		out := map[string]string{}
		for i := range n {
			out[fmt.Sprintf("%s-%02d", prefix, i)] = "x"
		}
		return out
	}
	shipping := shippingPlan(t, topology.Options{Tags: tags("shipping", topology.MaxTags-1)})
	plans := append(examplePlans(t), shipping) // orders tags order-events with two more
	for name, render := range renderers {
		_, err := render(plans...)
		require.ErrorIs(t, err, iac.ErrConflict, name)
		assert.Contains(t, err.Error(), `topic "order-events": services ["orders" "shipping"] set 51 tags on it together, at most 50 allowed`, name)
		assert.NotContains(t, err.Error(), `"shipments.fifo"`, "%s: shipping alone tags shipments.fifo", name)
	}

	tables := shopTablePlans(t)
	tables[0].Tags, tables[1].Tags = tags("a", 30), tags("b", 30)
	_, err := iac.Terraform(tables...)
	require.ErrorIs(t, err, iac.ErrConflict)
	assert.Contains(t, err.Error(), `table "shop_commands": services ["orders" "payments"] set 60 tags on it together`)

	tables[1].Tags = tags("b", 20)
	_, err = iac.CloudFormation(tables...)
	require.NoError(t, err, "50 tags together are within the limit")
}
