package topology_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// listenOnly drops the types routed to the destinations named, which the
// service then only consumes (listen.handles without types).
func listenOnly(names ...string) func(*topology.File) {
	return func(f *topology.File) {
		for i, d := range f.Destinations {
			if slices.Contains(names, d.Name) {
				f.Destinations[i].Types = nil
			}
		}
	}
}

// A destination the service only consumes is not granted to send or
// publish to, in every mode: a subscriber cannot forge messages into a
// topic or queue another service sends to. The routed ones keep the grant,
// and nothing else of the policy changes.
func TestNewIAMPolicy_GrantsNoSendOnADestinationOnlyListenedTo(t *testing.T) {
	arn := func(service, name string) string {
		return "arn:aws:" + service + ":eu-west-1:" + testAccount + ":" + name
	}
	for _, mode := range []topology.Provisioning{topology.ProvisionCreate, topology.ProvisionValidate, topology.ProvisionAssume} {
		t.Run(mode.String(), func(t *testing.T) {
			routed := grantCase{plan: fromFile("orders.topology.yaml", nil), mode: mode}
			listened := grantCase{plan: fromFile("orders.topology.yaml", listenOnly("payment-events", "orders.fifo")), mode: mode}
			all, fewer := grants(t, routed.policy(t)), grants(t, listened.policy(t))

			for _, g := range []string{"sns:Publish " + arn("sns", "order-events"), "sqs:SendMessage " + arn("sqs", "payments.fifo")} {
				assert.Contains(t, fewer, g, "a routed destination keeps its grant")
			}
			taken := []string{"sns:Publish " + arn("sns", "payment-events"), "sqs:SendMessage " + arn("sqs", "orders.fifo")}
			for _, g := range taken {
				assert.Contains(t, all, g, "a routed destination is granted")
				assert.NotContains(t, fewer, g, "a listen-only destination is not granted")
			}
			assert.Equal(t, slices.DeleteFunc(slices.Clone(all), func(g string) bool { return slices.Contains(taken, g) }), fewer)
		})
	}
}

// New marks the destinations the Binding routes a type to, and only those:
// a type only handled on a destination does not make it routed.
func TestNew_MarksOnlyTheDestinationsRoutedTo(t *testing.T) {
	b := sourceflow.Binding{
		Service: "payments",
		Routes: []sourceflow.Route{
			{Type: "payments.PaymentTaken", Kind: sourceflow.KindEvent, Destination: "payment-events"},
			{Type: "payments.Refund", Kind: sourceflow.KindCommand, Destination: "payments.fifo"},
		},
		Listeners: []sourceflow.Listener{
			{Destination: "order-events", Kind: sourceflow.KindEvent, Types: []string{"orders.OrderCreated"}},
			{Destination: "orders-audit", Kind: sourceflow.KindCommand, Types: []string{"orders.Audit"}},
			{Destination: "payments.fifo", Kind: sourceflow.KindCommand, Types: []string{"payments.Refund", "payments.Take"}},
		},
	}
	p, err := topology.New(b, topology.Options{})
	require.NoError(t, err)
	routed := map[string]bool{}
	for _, d := range p.Destinations {
		routed[d.Name] = d.Routed
	}
	assert.Equal(t, map[string]bool{
		"order-events": false, "orders-audit": false, "payment-events": true, "payments.fifo": true,
	}, routed)
}

// A destination the service only consumes is named by what it is to the
// service: its command queue a consumed queue, the topic a subscribed
// topic it does not publish to, each in a statement of its own class.
func TestNewIAMPolicy_NamesADestinationOnlyListenedTo(t *testing.T) {
	arn := func(service, name string) string {
		return "arn:aws:" + service + ":eu-west-1:" + testAccount + ":" + name
	}
	for _, mode := range []topology.Provisioning{topology.ProvisionCreate, topology.ProvisionValidate, topology.ProvisionAssume} {
		t.Run(mode.String(), func(t *testing.T) {
			c := grantCase{plan: fromFile("orders.topology.yaml", listenOnly("payment-events", "orders.fifo")), mode: mode}
			sids := sidsByResource(c.policy(t))
			assert.Equal(t, "ConsumedQueues", sids[arn("sqs", "orders.fifo")])
			assert.Equal(t, "SubscribedUnpublishedTopics", sids[arn("sns", "payment-events")])
			assert.Equal(t, "SubscribedTopics", sids[arn("sns", "order-events")])
			assert.Equal(t, "CommandQueues", sids[arn("sqs", "payments.fifo")])
		})
	}
}
