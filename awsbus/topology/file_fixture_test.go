package topology_test

import "github.com/sourceflow-go/sourceflow"

// The example flow's registrations (examples/orders): every service
// registers the four types; orders listens to its command queue and both
// topics, payments to its command queue.
func exampleRoutes() []sourceflow.Route {
	return []sourceflow.Route{
		{Type: "orders.CreateOrder", Kind: sourceflow.KindCommand, Destination: "orders.fifo"},
		{Type: "payments.ProcessPayment", Kind: sourceflow.KindCommand, Destination: "payments.fifo"},
		{Type: "orders.OrderCreated", Kind: sourceflow.KindEvent, Destination: "order-events"},
		{Type: "payments.PaymentProcessed", Kind: sourceflow.KindEvent, Destination: "payment-events"},
	}
}

func exampleOrdersBinding() sourceflow.Binding {
	return sourceflow.Binding{
		Service: "orders",
		Routes:  exampleRoutes(),
		Listeners: []sourceflow.Listener{
			{Destination: "orders.fifo", Kind: sourceflow.KindCommand, Types: []string{"orders.CreateOrder"}},
			{Destination: "order-events", Kind: sourceflow.KindEvent, Types: []string{"orders.OrderCreated"}},
			{Destination: "payment-events", Kind: sourceflow.KindEvent, Types: []string{"payments.PaymentProcessed"}},
		},
	}
}

func examplePaymentsBinding() sourceflow.Binding {
	return sourceflow.Binding{
		Service: "payments",
		Routes:  exampleRoutes(),
		Listeners: []sourceflow.Listener{
			{Destination: "payments.fifo", Kind: sourceflow.KindCommand, Types: []string{"payments.ProcessPayment"}},
		},
	}
}
