package tracing_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/tracing"
)

// TestTracingAcrossGoChannelRouterHop sends a message through a traced
// publisher, a gochannel pub/sub (which does not carry Go contexts) and a
// Watermill router with the tracing middleware, whose handler sends a
// follow-up message. The trace must be one tree: request → send → process →
// send, joined only through the message metadata.
func TestTracingAcrossGoChannelRouterHop(t *testing.T) {
	tr, tp, rec := recordingTracing(t, tracing.Config{LinkToProducer: true})
	pub, router, handled, _ := tracedRouter(t, tr)
	runRouter(t, router)

	ctx, root := tp.Tracer("test").Start(context.Background(), "request")
	msg := message.NewMessage(watermill.NewUUID(), []byte(`{"id":"o-1"}`))
	msg.Metadata.Set(sourceflow.MetaType, "orders.CreateOrder")
	msg.Metadata.Set(sourceflow.MetaMessageID, "m-1")
	msg.Metadata.Set(sourceflow.MetaEntityID, "o-1")
	msg.Metadata.Set(sourceflow.MetaSequence, "7")
	msg.SetContext(ctx)
	require.NoError(t, pub.Publish("orders", msg))

	var inHandler trace.SpanContext
	select {
	case inHandler = <-handled:
	case <-time.After(10 * time.Second):
		t.Fatal("message was not handled")
	}
	root.End()
	require.NoError(t, router.Close()) // waits for the handler, so its span has ended

	send := spanNamed(t, rec, "send orders")
	process := spanNamed(t, rec, "process orders")
	followUp := spanNamed(t, rec, "send orders.out")

	assert.Equal(t, trace.SpanKindProducer, send.SpanKind())
	assert.Equal(t, trace.SpanKindConsumer, process.SpanKind())
	assert.Equal(t, root.SpanContext().SpanID(), send.Parent().SpanID(), "send is a child of the request")

	assert.Equal(t, send.SpanContext().TraceID(), process.SpanContext().TraceID(), "one trace")
	assert.Equal(t, send.SpanContext().SpanID(), process.Parent().SpanID(), "process is a child of send")
	assert.True(t, process.Parent().IsRemote(), "the parent came from metadata")
	require.Len(t, process.Links(), 1)
	assert.Equal(t, send.SpanContext().SpanID(), process.Links()[0].SpanContext.SpanID())

	assert.Equal(t, process.SpanContext(), inHandler, "the handler runs inside the consumer span")
	assert.Equal(t, process.SpanContext().SpanID(), followUp.Parent().SpanID(), "follow-up send is a child of process")
	assert.Equal(t, send.SpanContext().TraceID(), followUp.SpanContext().TraceID())

	attrs := attrMap(process.Attributes())
	assert.Equal(t, "orders", attrs["messaging.destination.name"])
	assert.Equal(t, "orders-handler", attrs["sourceflow.handler"])
	assert.Equal(t, "m-1", attrs["messaging.message.id"])
}

// tracedRouter wires tr on both sides of a gochannel pub/sub (returned
// last). The router's handler on "orders" reports its span context on
// handled and sends a follow-up to "orders.out" with the message's context.
func tracedRouter(t *testing.T, tr *tracing.Tracing) (message.Publisher, *message.Router, <-chan trace.SpanContext, *gochannel.GoChannel) {
	t.Helper()
	logger := watermill.NopLogger{}
	pubSub := gochannel.NewGoChannel(gochannel.Config{}, logger)
	t.Cleanup(func() { _ = pubSub.Close() })
	pub, err := tr.DecoratePublisher(pubSub)
	require.NoError(t, err)

	router, err := message.NewRouter(message.RouterConfig{}, logger)
	require.NoError(t, err)
	router.AddMiddleware(tr.Middleware)
	handled := make(chan trace.SpanContext, 1)
	router.AddConsumerHandler("orders-handler", "orders", pubSub, func(msg *message.Message) error {
		handled <- trace.SpanContextFromContext(msg.Context())
		out := message.NewMessage(watermill.NewUUID(), []byte(`{}`))
		out.SetContext(msg.Context())
		return pub.Publish("orders.out", out)
	})
	return pub, router, handled, pubSub
}

func runRouter(t *testing.T, router *message.Router) {
	t.Helper()
	go func() { _ = router.Run(context.Background()) }()
	t.Cleanup(func() { _ = router.Close() })
	select {
	case <-router.Running():
	case <-time.After(10 * time.Second):
		t.Fatal("router did not start")
	}
}

// With the no-op provider nothing is recorded, but a trace started upstream
// still flows through: the handler sees the producer's trace, and its
// follow-up carries it on.
func TestNoopProviderStillPropagatesTheTrace(t *testing.T) {
	tr, err := tracing.New(tracing.Config{})
	require.NoError(t, err)
	pub, router, handled, pubSub := tracedRouter(t, tr)
	followUps, err := pubSub.Subscribe(context.Background(), "orders.out")
	require.NoError(t, err)
	runRouter(t, router)
	require.NoError(t, err)

	_, tp, _ := recordingTracing(t, tracing.Config{})
	ctx, root := tp.Tracer("test").Start(context.Background(), "request")
	defer root.End()
	msg := message.NewMessage(watermill.NewUUID(), []byte(`{}`))
	msg.SetContext(ctx)
	require.NoError(t, pub.Publish("orders", msg))

	select {
	case inHandler := <-handled:
		assert.Equal(t, root.SpanContext().TraceID(), inHandler.TraceID(), "the handler is in the upstream trace")
	case <-time.After(10 * time.Second):
		t.Fatal("message was not handled")
	}
	select {
	case f := <-followUps:
		f.Ack()
		assert.Contains(t, f.Metadata.Get("traceparent"), root.SpanContext().TraceID().String())
	case <-time.After(10 * time.Second):
		t.Fatal("no follow-up")
	}
}
