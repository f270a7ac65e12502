package middleware_test

import (
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow/middleware"
)

// A subscribe hook that short-circuits messages for another tenant and lets
// the rest through; the outer hook sees both outcomes.
func ExampleHandlerHook() {
	logging := middleware.HandlerHook(func(msg *message.Message, next message.HandlerFunc) ([]*message.Message, error) {
		fmt.Println("before", msg.UUID)
		out, err := next(msg)
		fmt.Println("after", msg.UUID, err)
		return out, err
	})
	tenantOnly := middleware.HandlerHook(func(msg *message.Message, next message.HandlerFunc) ([]*message.Message, error) {
		if msg.Metadata.Get("tenant") != "acme" {
			return nil, nil // short-circuit: acked, handler not run
		}
		return next(msg)
	})
	handler := logging(tenantOnly(func(msg *message.Message) ([]*message.Message, error) {
		fmt.Println("handled", msg.UUID)
		return nil, nil
	}))

	ours := message.NewMessage("m1", nil)
	ours.Metadata.Set("tenant", "acme")
	for _, msg := range []*message.Message{ours, message.NewMessage("m2", nil)} {
		if _, err := handler(msg); err != nil {
			panic(err)
		}
	}
	// Output:
	// before m1
	// handled m1
	// after m1 <nil>
	// before m2
	// after m2 <nil>
}

// A dispatch hook that stamps metadata before the message is published.
func ExamplePublishHook() {
	stamp := middleware.PublishHook(func(topic string, msgs []*message.Message, next middleware.PublishFunc) error {
		for _, m := range msgs {
			m.Metadata.Set("source", "billing")
		}
		return next(topic, msgs...)
	})
	pub, err := stamp(printMetaTransport{})
	if err != nil {
		panic(err)
	}
	if err := pub.Publish("invoices", message.NewMessage("m1", nil)); err != nil {
		panic(err)
	}
	// Output:
	// invoices m1 source=billing
}

type printMetaTransport struct{}

func (printMetaTransport) Publish(topic string, msgs ...*message.Message) error {
	for _, m := range msgs {
		fmt.Println(topic, m.UUID, "source="+m.Metadata.Get("source"))
	}
	return nil
}

func (printMetaTransport) Close() error { return nil }
