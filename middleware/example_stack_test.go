package middleware_test

import (
	"errors"
	"fmt"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow/middleware"
)

// printHook is a pass-through consume-side hook that prints its name.
func printHook(name string) message.HandlerMiddleware {
	return middleware.HandlerHook(func(msg *message.Message, next message.HandlerFunc) ([]*message.Message, error) {
		fmt.Println("consume", name)
		return next(msg)
	})
}

// printDecorator is a pass-through produce-side hook that prints its name.
func printDecorator(name string) message.PublisherDecorator {
	return middleware.PublishHook(func(topic string, msgs []*message.Message, next middleware.PublishFunc) error {
		fmt.Println("produce", name)
		return next(topic, msgs...)
	})
}

type printTransport struct{}

func (printTransport) Publish(topic string, _ ...*message.Message) error {
	fmt.Println("transport", topic)
	return nil
}

func (printTransport) Close() error { return nil }

// The phases run in their fixed order, whatever the order of registration.
func ExampleStack() {
	var s middleware.Stack
	err := errors.Join(
		// Registered out of order on purpose.
		s.Use(middleware.ConsumeRetry, "retry", printHook("retry")),
		s.Use(middleware.ConsumeDecrypt, "kms", printHook("decrypt")),
		s.Use(middleware.ConsumeIdempotency, "claim", printHook("idempotency")),
		s.Use(middleware.ConsumeMetrics, "otel", printHook("metrics")),
		s.Use(middleware.ConsumeTracing, "correlation", middleware.Correlation),
		s.Use(middleware.ConsumeTracing, "otel", printHook("tracing")),
		s.Use(middleware.ConsumeRecover, "recover", middleware.Recover),
		s.Decorate(middleware.ProduceMetrics, "otel", printDecorator("metrics")),
		s.Decorate(middleware.ProduceEncrypt, "kms", printDecorator("encrypt")),
		s.Decorate(middleware.ProduceCorrelation, "correlation", middleware.CorrelatePublisher),
	)
	if err != nil {
		panic(err)
	}
	fmt.Println(s.String())

	handler := s.WrapHandler(func(msg *message.Message) ([]*message.Message, error) {
		fmt.Println("handler")
		return nil, nil
	})
	if _, err := handler(message.NewMessage(watermill.NewUUID(), nil)); err != nil {
		panic(err)
	}

	pub, err := s.DecoratePublisher(printTransport{})
	if err != nil {
		panic(err)
	}
	if err := pub.Publish("orders", message.NewMessage(watermill.NewUUID(), nil)); err != nil {
		panic(err)
	}
	// Output:
	// consume: recover(recover) → tracing(correlation, otel) → metrics(otel) → idempotency(claim) → decrypt(kms) → retry(retry) → handler; produce: correlation(correlation) → encrypt(kms) → metrics(otel) → transport
	// consume tracing
	// consume metrics
	// consume idempotency
	// consume decrypt
	// consume retry
	// handler
	// produce encrypt
	// produce metrics
	// transport orders
}
