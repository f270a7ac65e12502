package tracing_test

import (
	"context"
	"fmt"
	"slices"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/tracing"
)

// Example traces one command from its sender to its handler over the
// in-process gochannel transport.
//
// It is one piece so that the documentation shows the whole wiring.
func Example() {
	recorder := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(recorder))
	tr, err := tracing.New(tracing.Config{TracerProvider: tp})
	if err != nil {
		panic(err)
	}

	logger := watermill.NopLogger{}
	pubSub := gochannel.NewGoChannel(gochannel.Config{}, logger)
	defer pubSub.Close()
	pub, err := tr.DecoratePublisher(pubSub) // produce side
	if err != nil {
		panic(err)
	}

	router, err := message.NewRouter(message.RouterConfig{}, logger)
	if err != nil {
		panic(err)
	}
	router.AddMiddleware(tr.Middleware) // consume side
	done := make(chan struct{})
	router.AddConsumerHandler("create-order", "orders", pubSub, func(*message.Message) error {
		close(done)
		return nil
	})
	runErr := make(chan error, 1)
	go func() { runErr <- router.Run(context.Background()) }()
	<-router.Running()

	msg := message.NewMessage(watermill.NewUUID(), []byte(`{"order":"o-1"}`))
	msg.Metadata.Set(sourceflow.MetaType, "orders.CreateOrder")
	if err := pub.Publish("orders", msg); err != nil {
		panic(err)
	}
	<-done
	if err := router.Close(); err != nil {
		panic(err)
	}
	if err := <-runErr; err != nil {
		panic(err)
	}

	spans := recorder.Ended()
	slices.SortFunc(spans, func(a, b sdktrace.ReadOnlySpan) int { return a.StartTime().Compare(b.StartTime()) })
	for _, s := range spans {
		fmt.Println(s.SpanKind(), s.Name())
	}
	fmt.Println("same trace:", spans[0].SpanContext().TraceID() == spans[1].SpanContext().TraceID())
	fmt.Println("process is a child of send:", spans[1].Parent().SpanID() == spans[0].SpanContext().SpanID())
	fmt.Println("keys added:", msg.Metadata.Get(sourceflow.MetaTraceParent) != "")
	// Output:
	// producer send orders
	// consumer process orders
	// same trace: true
	// process is a child of send: true
	// keys added: true
}
