package tracing_test

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/tracing"
)

// With RootConsumerSpans the consumer span starts a trace of its own, linked
// to the producer span, and the handler's context carries it: the message's
// traceparent chooses neither the trace nor, as a parent, the sampling.
func TestMiddlewareRootConsumerSpansLinkTheProducer(t *testing.T) {
	const producerTrace, producerSpan = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	tr, _, rec := recordingTracing(t, tracing.Config{RootConsumerSpans: true})
	msg := message.NewMessage("uuid-1", nil)
	msg.Metadata.Set(sourceflow.MetaTraceParent, "00-"+producerTrace+"-"+producerSpan+"-01")
	var handled trace.SpanContext

	_, err := tr.Middleware(func(m *message.Message) ([]*message.Message, error) {
		handled = trace.SpanContextFromContext(m.Context())
		return nil, nil
	})(msg)
	require.NoError(t, err)

	span := spanNamed(t, rec, "process")
	assert.False(t, span.Parent().IsValid(), "a root span")
	assert.NotEqual(t, producerTrace, span.SpanContext().TraceID().String())
	require.Len(t, span.Links(), 1)
	assert.Equal(t, producerTrace, span.Links()[0].SpanContext.TraceID().String())
	assert.Equal(t, producerSpan, span.Links()[0].SpanContext.SpanID().String())
	assert.Equal(t, span.SpanContext(), handled, "the handler continues the consumer's trace")
}

// With the no-op provider and RootConsumerSpans, the producer's context is
// not carried on to the handler, so the messages it sends do not continue
// the sender's trace either.
func TestMiddlewareRootConsumerSpansCarryNoProducerContextWithoutTracing(t *testing.T) {
	tr, err := tracing.New(tracing.Config{RootConsumerSpans: true})
	require.NoError(t, err)
	msg := message.NewMessage("uuid-1", nil)
	msg.Metadata.Set(sourceflow.MetaTraceParent, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	handled := trace.SpanContextFromContext(context.Background())

	_, err = tr.Middleware(func(m *message.Message) ([]*message.Message, error) {
		handled = trace.SpanContextFromContext(m.Context())
		return nil, nil
	})(msg)
	require.NoError(t, err)
	assert.False(t, handled.IsValid(), "got %v", handled)
}
