package awsbus_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
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

func plan(t *testing.T, cfg awsbus.Config, b sourceflow.Binding) (awsbus.Plan, error) {
	t.Helper()
	sq, sn := newFakes()
	topo, err := awsbus.NewTopology(sq, sn, cfg)
	require.NoError(t, err)
	return topo.Plan(b)
}

func TestTopology_PlanFromBindingAlone(t *testing.T) {
	p, err := plan(t, awsbus.Config{}, ordersBinding())
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
		"FifoQueue": "true", "ContentBasedDeduplication": "true",
	}, cmd.Attributes)
	assert.Equal(t, 5, cmd.MaxReceiveCount)
	assert.Equal(t, []string{"payment-events"}, evq.Topics)
	assert.Empty(t, cmd.Topics, "command queues are not subscribed to topics")

	require.Len(t, p.Topics, 2)
	require.Len(t, p.Subscriptions, 1)
	assert.Equal(t, awsbus.SubscriptionSpec{
		Topic: "payment-events", Queue: "orders-payment-events", FilterTypes: []string{"payments.PaymentTaken"},
	}, p.Subscriptions[0], "only some routed types handled: filtered")
}

func TestTopology_PlanFilterOnlyWhenSomeTypesAreHandled(t *testing.T) {
	b := ordersBinding()
	b.Listeners[1].Types = append(b.Listeners[1].Types, "payments.PaymentRefunded")
	p, err := plan(t, awsbus.Config{}, b)
	require.NoError(t, err)
	require.Len(t, p.Subscriptions, 1)
	assert.Nil(t, p.Subscriptions[0].FilterTypes)
}

// planMergeCase is a Config and a change to the orders binding, with the
// texts the Plan error must contain (none: Plan succeeds).
type planMergeCase struct {
	name    string
	cfg     awsbus.Config
	binding func(b *sourceflow.Binding)
	wantErr []string
	is      error
}

func planMergeCases() []planMergeCase {
	return []planMergeCase{
		{name: "config route agreeing with binding", cfg: awsbus.Config{
			Commands: []awsbus.CommandRoute{{Type: "orders.CreateOrder", Queue: "orders.fifo"}},
		}},
		{name: "config route absent from binding is added", cfg: awsbus.Config{
			Commands: []awsbus.CommandRoute{{Type: "billing.Charge", Queue: "billing"}},
		}},
		{name: "type mapped differently in config and binding", cfg: awsbus.Config{
			Commands: []awsbus.CommandRoute{{Type: "orders.CreateOrder", Queue: "orders-v2"}},
		}, wantErr: []string{"Binding.Routes[0]", "Commands[0]"}, is: awsbus.ErrDuplicateRoute},
		{name: "service differs", cfg: awsbus.Config{Service: "shop"},
			wantErr: []string{"Service"}, is: awsbus.ErrDuplicateRoute},
		{name: "binding listener without types", binding: func(b *sourceflow.Binding) {
			b.Listeners[0].Types = nil
		}, wantErr: []string{"Binding.Listeners[0]", `"orders.fifo"`}, is: awsbus.ErrNoHandler},
		{name: "config listen queue without handler", cfg: awsbus.Config{ListenQueues: []string{"audit"}},
			wantErr: []string{"ListenQueues[0]", `"audit"`}, is: awsbus.ErrNoHandler},
		{name: "config subscribed topic without handler", cfg: awsbus.Config{SubscribeTopics: []string{"stock"}},
			wantErr: []string{"SubscribeTopics[0]"}, is: awsbus.ErrNoHandler},
		{name: "handled type routed elsewhere", binding: func(b *sourceflow.Binding) {
			b.Listeners[0].Types = append(b.Listeners[0].Types, "orders.OrderCreated")
		}, wantErr: []string{"Binding.Listeners[0]", "orders.OrderCreated"}, is: awsbus.ErrDuplicateRoute},
		{name: "command queue collides with an event queue", cfg: awsbus.Config{
			Commands: []awsbus.CommandRoute{{Type: "x.Y", Queue: "orders-payment-events"}},
		}, wantErr: []string{`"orders-payment-events" is both`}, is: awsbus.ErrDuplicateRoute},
		{name: "command queue collides with a dead-letter queue", cfg: awsbus.Config{
			Commands: []awsbus.CommandRoute{{Type: "x.Y", Queue: "orders-payment-events-dlq"}},
		}, wantErr: []string{"dead-letter queue of orders-payment-events"}, is: awsbus.ErrDuplicateRoute},
		{name: "no service to name event queues", binding: func(b *sourceflow.Binding) { b.Service = "" },
			wantErr: []string{"Service: required"}},
		{name: "unknown kind", binding: func(b *sourceflow.Binding) { b.Routes[0].Kind = 0 },
			wantErr: []string{"Binding.Routes[0]", "unknown kind"}},
	}
}

func TestTopology_PlanMergesConfigAndBinding(t *testing.T) {
	for _, tt := range planMergeCases() {
		t.Run(tt.name, func(t *testing.T) {
			b := ordersBinding()
			if tt.binding != nil {
				tt.binding(&b)
			}
			p, err := plan(t, tt.cfg, b)
			if len(tt.wantErr) == 0 {
				require.NoError(t, err)
				assert.NotEmpty(t, p.Destinations)
				return
			}
			require.ErrorIs(t, err, awsbus.ErrInvalidConfig)
			if tt.is != nil {
				require.ErrorIs(t, err, tt.is)
			}
			for _, w := range tt.wantErr {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestTopology_PlanHonoursDisabledRoutingAndListeners(t *testing.T) {
	names := func(ds []awsbus.DestinationSpec) map[string]awsbus.DestinationSpec {
		m := map[string]awsbus.DestinationSpec{}
		for _, d := range ds {
			m[d.Name] = d
		}
		return m
	}
	t.Run("command routing off", func(t *testing.T) {
		p, err := plan(t, awsbus.Config{DisableCommandRouting: true, Local: newRecordingLocal()}, ordersBinding())
		require.NoError(t, err)
		assert.NotContains(t, names(p.Destinations), "orders.fifo")
		assert.True(t, names(p.Local)["orders.fifo"].ListenLocal)
		for _, q := range p.Queues {
			assert.NotEqual(t, "orders.fifo", q.Name)
		}
	})
	t.Run("event routing off", func(t *testing.T) {
		p, err := plan(t, awsbus.Config{DisableEventRouting: true, Local: newRecordingLocal()}, ordersBinding())
		require.NoError(t, err)
		assert.Empty(t, p.Topics)
		assert.Empty(t, p.Subscriptions)
		assert.Contains(t, names(p.Local), "payment-events")
		assert.Contains(t, names(p.Local), "order-events")
	})
	t.Run("command listener off", func(t *testing.T) {
		p, err := plan(t, awsbus.Config{DisableCommandListener: true, Local: newRecordingLocal()}, ordersBinding())
		require.NoError(t, err)
		d := names(p.Destinations)["orders.fifo"]
		assert.False(t, d.Listened)
		assert.True(t, d.ListenLocal)
		assert.False(t, p.Queues[1].Owned, "a queue nobody here consumes is not reconciled")
	})
	t.Run("event listener off", func(t *testing.T) {
		p, err := plan(t, awsbus.Config{DisableEventListener: true, Local: newRecordingLocal()}, ordersBinding())
		require.NoError(t, err)
		assert.Empty(t, p.Subscriptions)
		assert.Len(t, p.Queues, 1, "no event queue")
		assert.True(t, names(p.Destinations)["payment-events"].ListenLocal)
	})
}

func ordersBindingless() sourceflow.Binding { return sourceflow.Binding{} }
