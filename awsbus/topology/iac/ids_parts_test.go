package iac_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus/topology/iac"
)

// Two subscriptions whose names, joined by "to", read alike (topic
// events-to-orders to queue billing, topic events to queue
// orders-to-billing) get ids of their own, and are exported.
func TestSubscriptionsWhoseNamesJoinAlikeGetIDsOfTheirOwn(t *testing.T) {
	p := handPlan("billing", nil, map[string]string{"events-to-orders": "billing", "events": "orders-to-billing"})

	tpl := parseTemplate(t, must(iac.CloudFormation(p)))
	var subs []string
	for id, r := range tpl.Resources {
		if r.Type == "AWS::SNS::Subscription" {
			subs = append(subs, id)
		}
	}
	require.Len(t, subs, 2)
	for _, id := range subs {
		assert.Regexp(t, `^EventsToOrdersToBilling[0-9a-f]{8}Subscription$`, id)
	}
	var tfSubs int
	for key := range parseTerraform(t, must(iac.Terraform(p))) {
		if strings.HasPrefix(key, "resource aws_sns_topic_subscription ") {
			tfSubs++
		}
	}
	assert.Equal(t, 2, tfSubs)
}

// A subscription whose names read one way only keeps its id without a
// hash, even when a name holds the word "to", so deployed stacks keep
// their resources.
func TestASubscriptionThatReadsOneWayKeepsItsPlainID(t *testing.T) {
	p := handPlan("billing", nil, map[string]string{"to-orders": "billing", "order-events": "orders-order-events"})

	tpl := parseTemplate(t, must(iac.CloudFormation(p)))
	assert.Contains(t, tpl.Resources, "ToOrdersToBillingSubscription")
	assert.Contains(t, tpl.Resources, "OrderEventsToOrdersOrderEventsSubscription")
	blocks := parseTerraform(t, must(iac.Terraform(p)))
	assert.Contains(t, blocks, "resource aws_sns_topic_subscription to_orders_to_billing")
	assert.Contains(t, blocks, "resource aws_sns_topic_subscription order_events_to_orders_order_events")
}
