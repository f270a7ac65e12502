package awsbus_test

import (
	"fmt"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
)

// The topology of an orders service: its FIFO command queue, the topic it
// publishes, and the payments topic it subscribes to for one of its types.
func ExampleTopology_Plan() {
	cfg := awsbus.Config{
		Service:         "orders",
		Commands:        []awsbus.CommandRoute{{Type: "orders.CreateOrder", Queue: "orders.fifo"}},
		Events:          []awsbus.EventRoute{{Type: "orders.OrderCreated", Topic: "order-events"}},
		ListenQueues:    []string{"orders.fifo"},
		SubscribeTopics: []string{"payment-events"},
	}
	binding := sourceflow.Binding{
		Routes: []sourceflow.Route{
			{Type: "payments.PaymentTaken", Kind: sourceflow.KindEvent, Destination: "payment-events"},
			{Type: "payments.PaymentRefunded", Kind: sourceflow.KindEvent, Destination: "payment-events"},
		},
		Listeners: []sourceflow.Listener{
			{Destination: "orders.fifo", Kind: sourceflow.KindCommand, Types: []string{"orders.CreateOrder"}},
			{Destination: "payment-events", Kind: sourceflow.KindEvent, Types: []string{"payments.PaymentTaken"}},
		},
	}
	sqsFake := awsbustest.NewSQS(awsbustest.SQSConfig{})
	topo, err := awsbus.NewTopology(sqsFake, awsbustest.NewSNS(sqsFake, awsbustest.SNSConfig{}), cfg)
	if err != nil {
		panic(err)
	}
	plan, err := topo.Plan(binding)
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
	// Output:
	// queue orders-payment-events (dlq orders-payment-events-dlq, consumed here: true)
	// queue orders.fifo (dlq orders-dlq.fifo, consumed here: true)
	// topic order-events
	// topic payment-events
	// subscription payment-events -> orders-payment-events filter [payments.PaymentTaken]
}
