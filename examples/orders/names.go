package main

import "fmt"

// destinations names the flow's four destinations. On AWS the command
// destinations are SQS queues (FIFO when their names end in .fifo) and the
// event destinations SNS topics; in process they are gochannel topics.
type destinations struct {
	ordersQueue, paymentsQueue string
	orderEvents, paymentEvents string
}

// newDestinations returns the names for a queue kind ("fifo", the default
// orders.fifo and payments.fifo, or "standard", orders and payments), each
// prefixed with prefix so that several deployments can share one account.
func newDestinations(queues, prefix string) (destinations, error) {
	suffix := ".fifo"
	switch queues {
	case "fifo":
	case "standard":
		suffix = ""
	default:
		return destinations{}, fmt.Errorf("-queues %q: want fifo or standard", queues)
	}
	return destinations{
		ordersQueue:   prefix + "orders" + suffix,
		paymentsQueue: prefix + "payments" + suffix,
		orderEvents:   prefix + "order-events",
		paymentEvents: prefix + "payment-events",
	}, nil
}

// ordersListen is what the orders service consumes: its command queue and
// both event topics.
func (d destinations) ordersListen() []string {
	return []string{d.ordersQueue, d.orderEvents, d.paymentEvents}
}

// paymentsListen is what the payments service consumes: its command queue.
func (d destinations) paymentsListen() []string { return []string{d.paymentsQueue} }
