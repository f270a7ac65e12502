package topology_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// A service that only consumes a topic, handling one of the types its
// producer raises there, receives that type only: a type it does not handle
// (another consumer's, or one the producer adds later) is filtered out by
// SNS instead of reaching its queue and being dead-lettered as unknown.
func TestTopology_AConsumerReceivesOnlyTheTypesItHandles(t *testing.T) {
	sq, sn := newFakes()
	shipping := sourceflow.Binding{
		Service: "shipping",
		Listeners: []sourceflow.Listener{
			{Destination: "order-events", Kind: sourceflow.KindEvent, Types: []string{"orders.OrderPlaced"}},
		},
	}
	eps, _ := createFor(t, sq, sn, topology.Options{}, shipping)
	ep := eps["order-events"]
	for _, typ := range []string{"orders.OrderCancelled", "orders.OrderPlaced"} {
		_, err := sn.Publish(context.Background(), &sns.PublishInput{
			TopicArn: aws.String(ep.TopicARN), Message: aws.String(`{"type":"` + typ + `"}`),
			MessageAttributes: map[string]snstypes.MessageAttributeValue{
				sourceflow.MetaType: {DataType: aws.String("String"), StringValue: aws.String(typ)},
			},
		})
		require.NoError(t, err)
	}
	got := sq.Messages(ep.QueueURL)
	require.Len(t, got, 1, "only the handled type reaches the queue")
	assert.Equal(t, "orders.OrderPlaced", got[0].Attributes[sourceflow.MetaType])
	assert.Empty(t, sq.Messages(ep.DLQURL))
}

// Two versions of a service share one subscription during a rolling
// deploy: the newer handles a type the older does not. Whichever starts
// last, the filter keeps the newer one's type, and neither version's
// Validate reports drift.
func TestTopology_AnOlderVersionsStartDoesNotNarrowTheFilter(t *testing.T) {
	version := func(types ...string) sourceflow.Binding {
		return sourceflow.Binding{Service: "shipping", Listeners: []sourceflow.Listener{
			{Destination: "order-events", Kind: sourceflow.KindEvent, Types: types},
		}}
	}
	older, newer := version("orders.OrderPlaced"), version("orders.OrderPlaced", "orders.OrderCancelled")
	for _, order := range [][]sourceflow.Binding{{older, newer}, {newer, older}} {
		sq, sn := newFakes()
		var eps topology.Endpoints
		for _, b := range order {
			eps, _ = createFor(t, sq, sn, topology.Options{}, b)
		}
		ep := eps["order-events"]
		assert.JSONEq(t, `{"sf_type":["orders.OrderCancelled","orders.OrderPlaced"]}`,
			subscriptionAttrs(t, sn, ep.TopicARN)["FilterPolicy"])
		for _, b := range []sourceflow.Binding{older, newer} {
			assert.Empty(t, validateFor(t, sq, sn, topology.Options{}, b))
		}
	}
}

// A filter that lacks a type the service now handles is drift until Create
// adds the type.
func TestTopology_AFilterWithoutAHandledTypeIsDrift(t *testing.T) {
	sq, sn := newFakes()
	older := sourceflow.Binding{Service: "shipping", Listeners: []sourceflow.Listener{
		{Destination: "order-events", Kind: sourceflow.KindEvent, Types: []string{"orders.OrderPlaced"}},
	}}
	createFor(t, sq, sn, topology.Options{}, older)
	newer := older
	newer.Listeners = []sourceflow.Listener{{Destination: "order-events", Kind: sourceflow.KindEvent,
		Types: []string{"orders.OrderPlaced", "orders.OrderCancelled"}}}
	drift := validateFor(t, sq, sn, topology.Options{}, newer)
	require.Len(t, drift, 1)
	assert.Contains(t, drift[0], "FilterPolicy")
}

// A filter that would grow past SNS's 150 types is left as it is: Validate
// reports it, and Create fails saying what to remove.
func TestTopology_AFilterThatWouldPassSNSsLimitIsReported(t *testing.T) {
	sq, sn := newFakes()
	binding := func(types ...string) sourceflow.Binding {
		return sourceflow.Binding{Service: "shipping", Listeners: []sourceflow.Listener{
			{Destination: "order-events", Kind: sourceflow.KindEvent, Types: types},
		}}
	}
	var many []string
	for i := range 150 {
		many = append(many, fmt.Sprintf("orders.T%03d", i))
	}
	createFor(t, sq, sn, topology.Options{}, binding(many...))
	next := binding("orders.Other")
	drift := validateFor(t, sq, sn, topology.Options{}, next)
	require.Len(t, drift, 1)
	assert.Contains(t, drift[0], "151 types, more than the 150 SNS takes")

	topo, err := newProvisioner(sq, sn, topology.ProvisionerConfig{})
	require.NoError(t, err)
	p, err := topology.New(next, topology.Options{})
	require.NoError(t, err)
	_, err = topo.Create(context.Background(), p)
	require.ErrorContains(t, err, "remove from it the types no version of the service handles any more")
}

// A subscription whose filter applies to the message body (set by hand or
// by other tooling) drops every event, since the types are in the sf_type
// attribute: Validate reports it, and Create sets the scope back.
func TestTopology_AFilterOnTheMessageBodyIsDriftUntilCreate(t *testing.T) {
	sq, sn := newFakes()
	shipping := sourceflow.Binding{Service: "shipping", Listeners: []sourceflow.Listener{
		{Destination: "order-events", Kind: sourceflow.KindEvent, Types: []string{"orders.OrderPlaced"}},
	}}
	eps, _ := createFor(t, sq, sn, topology.Options{}, shipping)
	ep := eps["order-events"]
	assert.Equal(t, "MessageAttributes", subscriptionAttrs(t, sn, ep.TopicARN)["FilterPolicyScope"])
	subARN := subscriptionAttrs(t, sn, ep.TopicARN)["SubscriptionArn"]
	_, err := sn.SetSubscriptionAttributes(context.Background(), &sns.SetSubscriptionAttributesInput{
		SubscriptionArn: aws.String(subARN), AttributeName: aws.String("FilterPolicyScope"), AttributeValue: aws.String("MessageBody"),
	})
	require.NoError(t, err)
	publish := func() {
		_, err := sn.Publish(context.Background(), &sns.PublishInput{
			TopicArn: aws.String(ep.TopicARN), Message: aws.String(`{"id":"o-1"}`),
			MessageAttributes: map[string]snstypes.MessageAttributeValue{
				sourceflow.MetaType: {DataType: aws.String("String"), StringValue: aws.String("orders.OrderPlaced")},
			},
		})
		require.NoError(t, err)
	}
	publish()
	require.Empty(t, sq.Messages(ep.QueueURL), "SNS drops the event")

	assert.Equal(t, []string{"subscription order-events -> shipping-order-events: FilterPolicyScope differs, want MessageAttributes"},
		validateFor(t, sq, sn, topology.Options{}, shipping))

	createFor(t, sq, sn, topology.Options{}, shipping)
	assert.Equal(t, "MessageAttributes", subscriptionAttrs(t, sn, ep.TopicARN)["FilterPolicyScope"])
	assert.Empty(t, validateFor(t, sq, sn, topology.Options{}, shipping))
	publish()
	assert.Len(t, sq.Messages(ep.QueueURL), 1)
}
