package middleware_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow/middleware"
)

// downTransport fails every publish to "orders" and counts the calls.
type downTransport struct{ calls int }

func (t *downTransport) Publish(topic string, _ ...*message.Message) error {
	t.calls++
	if topic == "orders" {
		return errors.New("connection refused")
	}
	return nil
}

func (t *downTransport) Close() error { return nil }

// After two failed publishes in a row the circuit of "orders" opens: the
// next publish is rejected without reaching the transport, while other
// destinations keep publishing. The breaker goes innermost on the produce
// side, just after metrics.
func ExampleCircuitBreaker() {
	breaker, err := middleware.NewCircuitBreaker(middleware.CircuitBreakerConfig{
		ConsecutiveFailures: 2, OpenTimeout: 30 * time.Second,
	})
	if err != nil {
		panic(err)
	}
	var s middleware.Stack
	err = errors.Join(
		s.Decorate(middleware.ProduceMetrics, "metrics", printDecorator("metrics")),
		s.InsertDecorator("metrics", middleware.After, "circuit-breaker", breaker.DecoratePublisher),
	)
	if err != nil {
		panic(err)
	}
	transport := &downTransport{}
	pub, err := s.DecoratePublisher(transport)
	if err != nil {
		panic(err)
	}
	for range 3 {
		err := pub.Publish("orders", message.NewMessage("m1", nil))
		fmt.Println("open:", errors.Is(err, middleware.ErrCircuitOpen), err)
	}
	fmt.Println(pub.Publish("payments", message.NewMessage("m2", nil)))
	fmt.Println("transport calls:", transport.calls)
	for _, c := range breaker.Circuits() {
		fmt.Println(c.Destination, c.State)
	}
	// Output:
	// produce metrics
	// open: false connection refused
	// produce metrics
	// open: false connection refused
	// produce metrics
	// open: true sourceflow: circuit open: destination "orders": publishing suspended after repeated failures
	// produce metrics
	// <nil>
	// transport calls: 3
	// orders open
	// payments closed
}
