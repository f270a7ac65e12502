package topology_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

func newFakes() (*awsbustest.SQS, *awsbustest.SNS) {
	q := awsbustest.NewSQS(awsbustest.SQSConfig{})
	return q, awsbustest.NewSNS(q, awsbustest.SNSConfig{EnforceQueuePolicy: true})
}

// ordersBinding is what the model of an "orders" service hands over: it
// sends CreateOrder to its own FIFO queue, listens there, publishes
// OrderCreated and OrderShipped, and handles one of the two payment events.
func ordersBinding() sourceflow.Binding {
	return sourceflow.Binding{
		Service: "orders",
		Routes: []sourceflow.Route{
			{Type: "orders.CreateOrder", Kind: sourceflow.KindCommand, Destination: "orders.fifo"},
			{Type: "orders.OrderCreated", Kind: sourceflow.KindEvent, Destination: "order-events"},
			{Type: "payments.PaymentTaken", Kind: sourceflow.KindEvent, Destination: "payment-events"},
			{Type: "payments.PaymentRefunded", Kind: sourceflow.KindEvent, Destination: "payment-events"},
		},
		Listeners: []sourceflow.Listener{
			{Destination: "orders.fifo", Kind: sourceflow.KindCommand, Types: []string{"orders.CreateOrder"}},
			{Destination: "payment-events", Kind: sourceflow.KindEvent, Types: []string{"payments.PaymentTaken"}},
		},
	}
}

func plan(t *testing.T, opts topology.Options, b sourceflow.Binding) (topology.Plan, error) {
	t.Helper()
	return topology.New(b, opts)
}

func TestTopology_PlanFromBindingAlone(t *testing.T) {
	p, err := plan(t, topology.Options{}, ordersBinding())
	require.NoError(t, err)

	assert.Equal(t, "orders", p.Service)
	require.Len(t, p.Queues, 2)
	evq, cmd := p.Queues[0], p.Queues[1]
	assert.Equal(t, "orders-payment-events", evq.Name, "event queue named <service>-<topic>")
	assert.Equal(t, "orders.fifo", cmd.Name)
	assert.True(t, cmd.FIFO)
	assert.Equal(t, "orders-dlq.fifo", cmd.DLQ)
	assert.Equal(t, map[string]string{
		"VisibilityTimeout": "30", "ReceiveMessageWaitTimeSeconds": "20",
		"FifoQueue": "true", "ContentBasedDeduplication": "true", "SqsManagedSseEnabled": "true",
		"MaximumMessageSize": "1048576",
	}, cmd.Attributes)
	assert.Equal(t, topology.DefaultMaxReceiveCount, cmd.MaxReceiveCount)
	assert.Equal(t, []topology.Policy{
		{Queue: "orders-payment-events", Topics: []string{"payment-events"}},
		{Queue: "orders-payment-events-dlq", Topics: []string{"payment-events"}},
	}, p.Policies, "only event queues and their dead-letter queues let topics send")

	require.Len(t, p.Topics, 2)
	require.Len(t, p.Subscriptions, 1)
	assert.Equal(t, topology.Subscription{
		Topic: "payment-events", Queue: "orders-payment-events", DLQ: "orders-payment-events-dlq",
		FilterTypes: []string{"payments.PaymentTaken"},
	}, p.Subscriptions[0], "filtered on the handled types; undeliverable ones go to the queue's DLQ")
}

// A service that handles every type routed to a topic still filters on
// them: the types other services raise there, or a producer adds later,
// would otherwise reach its queue and be dead-lettered as unknown types.
func TestTopology_PlanFiltersOnTheHandledTypes(t *testing.T) {
	b := ordersBinding()
	b.Listeners[1].Types = append(b.Listeners[1].Types, "payments.PaymentRefunded", "payments.PaymentRefunded")
	p, err := plan(t, topology.Options{}, b)
	require.NoError(t, err)
	require.Len(t, p.Subscriptions, 1)
	assert.Equal(t, []string{"payments.PaymentRefunded", "payments.PaymentTaken"}, p.Subscriptions[0].FilterTypes,
		"every handled type, sorted, once")
}

// SNS takes at most 150 values in a filter policy: a plan for a service
// handling more types of one topic is refused, naming the limit.
func TestTopology_PlanRefusesMoreHandledTypesThanSNSFilters(t *testing.T) {
	for _, n := range []int{150, 151} {
		b := ordersBinding()
		b.Listeners[1].Types = nil
		for i := range n {
			b.Listeners[1].Types = append(b.Listeners[1].Types, fmt.Sprintf("payments.T%03d", i))
		}
		p, err := plan(t, topology.Options{}, b)
		if n <= 150 {
			require.NoError(t, err)
			require.Len(t, p.Subscriptions, 1)
			assert.Len(t, p.Subscriptions[0].FilterTypes, n)
			continue
		}
		require.ErrorIs(t, err, topology.ErrInvalidPlan)
		assert.ErrorContains(t, err, "151 types handled on topic \"payment-events\", more than the 150")
	}
}

// A queue the service only sends to is planned but not owned.
func TestTopology_PlanQueueOnlySentToIsNotOwned(t *testing.T) {
	b := ordersBinding()
	b.Listeners = b.Listeners[1:]
	p, err := plan(t, topology.Options{}, b)
	require.NoError(t, err)
	d, ok := p.Destination("orders.fifo")
	require.True(t, ok)
	assert.False(t, d.Listened)
	assert.False(t, p.Queues[1].Owned, "a queue nobody here consumes is not reconciled")
}

// The plan is data in a deterministic order: two derivations of one
// Binding encode to the same JSON.
func TestTopology_PlanIsDeterministicData(t *testing.T) {
	first, err := plan(t, topology.Options{}, ordersBinding())
	require.NoError(t, err)
	for range 10 {
		again, err := plan(t, topology.Options{}, ordersBinding())
		require.NoError(t, err)
		a, _ := json.Marshal(first)
		b, _ := json.Marshal(again)
		require.JSONEq(t, string(a), string(b))
		require.Equal(t, string(a), string(b))
	}
}

// planCase is a change to the orders binding (and options), with the texts
// the error must contain (none: New succeeds).
type planCase struct {
	name    string
	opts    topology.Options
	binding func(b *sourceflow.Binding)
	wantErr []string
	is      error
}

func route(typ string, kind sourceflow.Kind, dest string) sourceflow.Route {
	return sourceflow.Route{Type: typ, Kind: kind, Destination: dest}
}

func planCases() []planCase {
	cmd, evt := sourceflow.KindCommand, sourceflow.KindEvent
	addRoute := func(r sourceflow.Route) func(b *sourceflow.Binding) {
		return func(b *sourceflow.Binding) { b.Routes = append(b.Routes, r) }
	}
	return []planCase{
		{name: "same route twice is fine", binding: addRoute(route("orders.CreateOrder", cmd, "orders.fifo"))},
		{name: "bad queue name", binding: addRoute(route("x.Y", cmd, "orders.v1")),
			wantErr: []string{"Binding.Routes[4]", "invalid character"}, is: topology.ErrInvalidName},
		{name: "queue too long for its DLQ", binding: addRoute(route("x.Y", cmd, strings.Repeat("q", 78))),
			wantErr: []string{"Binding.Routes[4]: dead-letter queue", "82 characters"}, is: topology.ErrInvalidName},
		{name: "bad topic name", binding: addRoute(route("x.Y", evt, "order:events")),
			wantErr: []string{"Binding.Routes[4]", "topic name"}, is: topology.ErrInvalidName},
		{name: "ARN of too few parts", binding: addRoute(route("x.Y", evt, "arn:aws:sns:x")),
			wantErr: []string{"Binding.Routes[4]", `topic ARN "arn:aws:sns:x"`, "has 4 parts"}, is: topology.ErrInvalidConfig},
		{name: "queue ARN as a topic", binding: addRoute(route("x.Y", evt, "arn:aws:sqs:eu-west-1:111111111111:orders")),
			wantErr: []string{"Binding.Routes[4]", `service "sqs"`, "SNS topic"}, is: topology.ErrInvalidConfig},
		{name: "topic ARN as a queue", binding: addRoute(route("x.Y", cmd, "arn:aws:sns:eu-west-1:111111111111:orders")),
			wantErr: []string{"Binding.Routes[4]", `service "sns"`, "SQS queue"}, is: topology.ErrInvalidConfig},
		{name: "queue ARN without account", binding: addRoute(route("x.Y", cmd, "arn:aws:sqs:eu-west-1::orders")),
			wantErr: []string{"Binding.Routes[4]", `account "" is not 12 digits`}, is: topology.ErrInvalidConfig},
		{name: "topic ARN without region", binding: addRoute(route("x.Y", evt, "arn:aws:sns::111111111111:orders")),
			wantErr: []string{"Binding.Routes[4]", "no region"}, is: topology.ErrInvalidConfig},
		{name: "ARN of a bad name", binding: addRoute(route("x.Y", cmd, "arn:aws:sqs:eu-west-1:111111111111:a.b")),
			wantErr: []string{"Binding.Routes[4]", "invalid character"}, is: topology.ErrInvalidConfig},
		{name: "queue of another account listened", binding: func(b *sourceflow.Binding) {
			b.Listeners = append(b.Listeners, sourceflow.Listener{Destination: "arn:aws:sqs:eu-west-1:111111111111:orders",
				Kind: cmd, Types: []string{"x.Y"}})
		}, wantErr: []string{"Binding.Listeners[2]", "consumes only queues of its own account"}, is: topology.ErrInvalidConfig},
		{name: "event queue too long", binding: func(b *sourceflow.Binding) {
			b.Listeners[1].Destination = strings.Repeat("t", 75)
		}, wantErr: []string{"Binding.Listeners[1] event queue", "orders-ttt"}, is: topology.ErrInvalidName},
		{name: "event queue name hook breaks FIFO pairing", opts: topology.Options{
			EventQueueName: func(p topology.EventQueueNameParams) string { return p.Service + "-x.fifo" },
		}, wantErr: []string{"Binding.Listeners[1]", "FIFO topic needs a FIFO queue"}, is: topology.ErrFIFOMismatch},
		{name: "type mapped twice", binding: addRoute(route("orders.CreateOrder", cmd, "other")),
			wantErr: []string{"Binding.Routes[4]", `"orders.CreateOrder"`, "Binding.Routes[0]"}, is: topology.ErrDuplicateRoute},
		{name: "destination both queue and topic", binding: addRoute(route("orders.X", evt, "orders.fifo")),
			wantErr: []string{"Binding.Routes[4]", `"orders.fifo" used as event`}, is: topology.ErrDuplicateRoute},
		{name: "empty type", binding: addRoute(route("", evt, "order-events")), wantErr: []string{"Binding.Routes[4]: empty type"}},
		{name: "listener without types", binding: func(b *sourceflow.Binding) {
			b.Listeners[0].Types = nil
		}, wantErr: []string{"Binding.Listeners[0]", `"orders.fifo"`}, is: topology.ErrNoHandler},
		{name: "handled type routed elsewhere", binding: func(b *sourceflow.Binding) {
			b.Listeners[0].Types = append(b.Listeners[0].Types, "orders.OrderCreated")
		}, wantErr: []string{"Binding.Listeners[0]", "orders.OrderCreated"}, is: topology.ErrDuplicateRoute},
		{name: "command queue collides with an event queue", binding: addRoute(route("x.Y", cmd, "orders-payment-events")),
			wantErr: []string{`"orders-payment-events" is both`}, is: topology.ErrDuplicateRoute},
		{name: "command queue collides with a dead-letter queue", binding: addRoute(route("x.Y", cmd, "orders-payment-events-dlq")),
			wantErr: []string{"dead-letter queue of orders-payment-events"}, is: topology.ErrDuplicateRoute},
		{name: "no service to name event queues", binding: func(b *sourceflow.Binding) { b.Service = "" },
			wantErr: []string{"Binding.Service: required"}},
		{name: "unknown kind", binding: func(b *sourceflow.Binding) { b.Routes[0].Kind = 0 },
			wantErr: []string{"Binding.Routes[0]", "unknown kind"}},
		{name: "options out of range", opts: topology.Options{MaxReceiveCount: 1001, WaitTime: time.Minute},
			wantErr: []string{"MaxReceiveCount", "WaitTime"}},
		{name: "options out of range beside a binding problem", opts: topology.Options{WaitTime: time.Minute},
			binding: addRoute(route("orders.CreateOrder", cmd, "other")),
			wantErr: []string{"WaitTime", "Binding.Routes[4]", `"orders.CreateOrder"`}, is: topology.ErrDuplicateRoute},
	}
}

func TestTopology_NewReportsEveryProblem(t *testing.T) {
	for _, tt := range planCases() {
		t.Run(tt.name, func(t *testing.T) {
			b := ordersBinding()
			if tt.binding != nil {
				tt.binding(&b)
			}
			p, err := plan(t, tt.opts, b)
			if len(tt.wantErr) == 0 {
				require.NoError(t, err)
				assert.NotEmpty(t, p.Destinations)
				return
			}
			require.ErrorIs(t, err, topology.ErrInvalidPlan)
			if tt.is != nil {
				require.ErrorIs(t, err, tt.is)
			}
			for _, w := range tt.wantErr {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}
