package topology_test

import (
	"encoding/json"
	"fmt"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// The plan of an orders service: its FIFO command queue, the topic it
// publishes, and the payments topic it subscribes to for one of its types.
// The plan is data: a tool can print it, or render it as infrastructure code.
func ExampleNew() {
	binding := sourceflow.Binding{
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
	plan, err := topology.New(binding, topology.Options{})
	if err != nil {
		panic(err)
	}
	for _, q := range plan.Queues {
		fmt.Printf("queue %s (dlq %s, consumed here: %v)\n", q.Name, q.DLQ, q.Owned)
	}
	for _, t := range plan.Topics {
		fmt.Printf("topic %s\n", t.Name)
	}
	for _, s := range plan.Subscriptions {
		fmt.Printf("subscription %s -> %s filter %v\n", s.Topic, s.Queue, s.FilterTypes)
	}
	policy, err := json.Marshal(plan.Policies)
	if err != nil {
		panic(err)
	}
	fmt.Println("policies", string(policy))
	// Output:
	// queue orders-payment-events (dlq orders-payment-events-dlq, consumed here: true)
	// queue orders.fifo (dlq orders-dlq.fifo, consumed here: true)
	// topic order-events
	// topic payment-events
	// subscription payment-events -> orders-payment-events filter [payments.PaymentTaken]
	// policies [{"queue":"orders-payment-events","topics":["payment-events"]},{"queue":"orders-payment-events-dlq","topics":["payment-events"]}]
}
