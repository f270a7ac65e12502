package tracing_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/tracing"
)

// TestDecoratePublisherStartsProducerSpans checks the spans and what reached
// the transport in one run; splitting it would repeat the setup.
func TestDecoratePublisherStartsProducerSpans(t *testing.T) {
	tr, tp, rec := recordingTracing(t, tracing.Config{MessagingSystem: tracing.SystemAWSSNS})
	inner := &capturePublisher{}
	pub, err := tr.DecoratePublisher(inner)
	require.NoError(t, err)

	ctx, root := tp.Tracer("test").Start(context.Background(), "request")
	first := message.NewMessage("u-1", nil)
	first.Metadata.Set(sourceflow.MetaType, "orders.OrderCreated")
	first.Metadata.Set(sourceflow.MetaMessageID, "m-1")
	first.SetContext(ctx)
	second := message.NewMessage("u-2", nil)
	second.SetContext(ctx)

	require.NoError(t, pub.Publish("order-events", first, second))
	root.End()

	var sends []trace.SpanContext
	for _, s := range rec.Ended() {
		if s.Name() != "send order-events" {
			continue
		}
		sends = append(sends, s.SpanContext())
		assert.Equal(t, trace.SpanKindProducer, s.SpanKind())
		assert.Equal(t, root.SpanContext().SpanID(), s.Parent().SpanID())
		attrs := attrMap(s.Attributes())
		assert.Equal(t, "aws.sns", attrs["messaging.system"])
		assert.Equal(t, "send", attrs["messaging.operation.type"])
		assert.Equal(t, "order-events", attrs["messaging.destination.name"])
		assert.Contains(t, []any{"m-1", "u-2"}, attrs["messaging.message.id"])
	}
	require.Len(t, sends, 2, "one producer span per message")
	assert.NotEqual(t, sends[0].SpanID(), sends[1].SpanID())

	// What reached the transport carries each message's own span, and inner
	// decorators saw that span in the message context.
	for i, md := range inner.metadata {
		sc := trace.SpanContextFromContext(inner.contexts[i])
		assert.Contains(t, sends, sc)
		assert.Equal(t, "00-"+sc.TraceID().String()+"-"+sc.SpanID().String()+"-01", md.Get(sourceflow.MetaTraceParent))
	}
	assert.Equal(t, ctx, first.Context(), "the caller's context is restored after Publish")
}

func TestDecoratePublisherErrorMarksEverySpan(t *testing.T) {
	tr, _, rec := recordingTracing(t, tracing.Config{})
	boom := errors.New("queue does not exist")
	pub, err := tr.DecoratePublisher(&capturePublisher{err: boom})
	require.NoError(t, err)

	err = pub.Publish("orders", message.NewMessage("u-1", nil), message.NewMessage("u-2", nil))

	require.ErrorIs(t, err, boom)
	ended := rec.Ended()
	require.Len(t, ended, 2)
	for _, s := range ended {
		assert.Equal(t, codes.Error, s.Status().Code)
		assert.Equal(t, boom.Error(), s.Status().Description)
		require.Len(t, s.Events(), 1)
		assert.Equal(t, "exception", s.Events()[0].Name)
		assert.Equal(t, "transient", attrMap(s.Attributes())["error.type"])
	}
}

// TestTraceContextCostsAtMostTwoMetadataKeys guards the transport attribute
// budget: the default propagator adds traceparent and tracestate, nothing else.
func TestTraceContextCostsAtMostTwoMetadataKeys(t *testing.T) {
	tr, tp, _ := recordingTracing(t, tracing.Config{})
	pub, err := tr.DecoratePublisher(&capturePublisher{})
	require.NoError(t, err)

	ctx, root := tp.Tracer("test").Start(context.Background(), "request")
	state, err := trace.ParseTraceState("vendor=abc,other=x")
	require.NoError(t, err)
	ctx = trace.ContextWithSpanContext(ctx, root.SpanContext().WithTraceState(state))

	msg := message.NewMessage("u-1", nil)
	msg.Metadata.Set(sourceflow.MetaType, "orders.CreateOrder")
	msg.Metadata.Set(sourceflow.MetaMessageID, "m-1")
	before := maps.Clone(msg.Metadata)
	msg.SetContext(ctx)
	require.NoError(t, pub.Publish("orders", msg))

	var added []string
	for k := range msg.Metadata {
		if _, ok := before[k]; !ok {
			added = append(added, k)
		}
	}
	slices.Sort(added)
	assert.Equal(t, []string{sourceflow.MetaTraceParent, sourceflow.MetaTraceState}, added)
	assert.Equal(t, "vendor=abc,other=x", msg.Metadata.Get(sourceflow.MetaTraceState))
}

func TestDecoratePublisherWithoutParentOrSDKAddsNoKeys(t *testing.T) {
	tr, err := tracing.New(tracing.Config{}) // no-op provider
	require.NoError(t, err)
	pub, err := tr.DecoratePublisher(&capturePublisher{})
	require.NoError(t, err)
	msg := &message.Message{UUID: "u-1"} // nil metadata must not panic

	require.NoError(t, pub.Publish("orders", msg))
	assert.Empty(t, msg.Metadata, "nothing to propagate without a span context")
}

func TestDecoratePublisherRejectsNil(t *testing.T) {
	tr, err := tracing.New(tracing.Config{})
	require.NoError(t, err)
	pub, err := tr.DecoratePublisher(nil)
	require.ErrorIs(t, err, tracing.ErrNilPublisher)
	assert.Nil(t, pub)
}
