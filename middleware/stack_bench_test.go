package middleware_test

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow/middleware"
)

// fullStack fills every phase of both sides with pass-through entries.
func fullStack(b *testing.B) *middleware.Stack {
	b.Helper()
	var s middleware.Stack
	for _, p := range middleware.ConsumePhases() {
		if err := s.Use(p, "pass", passThroughHook()); err != nil {
			b.Fatal(err)
		}
	}
	for _, p := range middleware.ProducePhases() {
		if err := s.Decorate(p, "pass", passThroughPublishHook()); err != nil {
			b.Fatal(err)
		}
	}
	return &s
}

func passThroughHook() message.HandlerMiddleware {
	return middleware.HandlerHook(func(msg *message.Message, next message.HandlerFunc) ([]*message.Message, error) {
		return next(msg)
	})
}

func passThroughPublishHook() message.PublisherDecorator {
	return middleware.PublishHook(func(topic string, msgs []*message.Message, next middleware.PublishFunc) error {
		return next(topic, msgs...)
	})
}

func noopHandler(*message.Message) ([]*message.Message, error) { return nil, nil }

type discardPublisher struct{}

func (discardPublisher) Publish(string, ...*message.Message) error { return nil }
func (discardPublisher) Close() error                              { return nil }

// BenchmarkConsume compares one message through a bare handler with the same
// handler behind six pass-through phases.
func BenchmarkConsume(b *testing.B) {
	msg := message.NewMessage("1", nil)
	run := func(b *testing.B, h message.HandlerFunc) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := h(msg); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("bare", func(b *testing.B) { run(b, noopHandler) })
	b.Run("stack", func(b *testing.B) { run(b, fullStack(b).WrapHandler(noopHandler)) })
}

// BenchmarkProduce compares one publish straight to the transport with the
// same publish through four pass-through phases.
func BenchmarkProduce(b *testing.B) {
	msg := message.NewMessage("1", nil)
	run := func(b *testing.B, pub message.Publisher) {
		b.ReportAllocs()
		for b.Loop() {
			if err := pub.Publish("t", msg); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("bare", func(b *testing.B) { run(b, discardPublisher{}) })
	b.Run("stack", func(b *testing.B) {
		pub, err := fullStack(b).DecoratePublisher(discardPublisher{})
		if err != nil {
			b.Fatal(err)
		}
		run(b, pub)
	})
}

// BenchmarkBuiltins measures Recover, Correlation and Retry on the success
// path, the cost every message pays.
func BenchmarkBuiltins(b *testing.B) {
	retry, err := middleware.NewRetry(middleware.RetryConfig{})
	if err != nil {
		b.Fatal(err)
	}
	h := middleware.Recover(middleware.Correlation(retry(noopHandler)))
	msg := message.NewMessage("1", nil)
	b.ReportAllocs()
	for b.Loop() {
		msg.SetContext(context.Background()) // a fresh delivery, as from a subscriber
		if _, err := h(msg); err != nil {
			b.Fatal(err)
		}
	}
}
