package awsbus_test

import (
	"time"

	"github.com/sourceflow-go/sourceflow"
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

var writeOps = []string{
	"CreateQueue", "SetQueueAttributes", "CreateTopic", "Subscribe", "SetSubscriptionAttributes",
}

// writes counts the write calls made on the fakes, by operation.
func writes(sq *awsbustest.SQS, sn *awsbustest.SNS) map[string]int {
	m := map[string]int{}
	for _, op := range writeOps {
		if n := sq.Calls(op) + sn.Calls(op); n > 0 {
			m[op] = n
		}
	}
	return m
}

// waitFor bounds every wait on a condition: generous, so a loaded machine
// only makes a passing test slower, never failing; tick is how often the
// condition is checked.
const (
	waitFor = 10 * time.Second
	tick    = 10 * time.Millisecond
)
