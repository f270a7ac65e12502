package tracing_test

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/tracing"
)

// A message sent on with the metadata of one consumed earlier (a copy, a
// forward) carries the trace context of its own send only: a tracestate
// of the earlier trace, which the new span context does not have, is not
// left beside the new traceparent.
func TestDecoratePublisherReplacesTheWholeTraceContextOfAForwardedMessage(t *testing.T) {
	tr, tp, _ := recordingTracing(t, tracing.Config{})
	inner := &capturePublisher{}
	pub, err := tr.DecoratePublisher(inner)
	require.NoError(t, err)

	ctx, root := tp.Tracer("test").Start(context.Background(), "request")
	defer root.End()
	msg := message.NewMessage("u-1", nil)
	msg.Metadata.Set(sourceflow.MetaTraceParent, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	msg.Metadata.Set("tracestate", "vendor=earlier-trace")
	msg.SetContext(ctx)

	require.NoError(t, pub.Publish("orders", msg))

	require.Len(t, inner.metadata, 1)
	md := inner.metadata[0]
	assert.Contains(t, md.Get(sourceflow.MetaTraceParent), root.SpanContext().TraceID().String(), "the traceparent is the send's")
	assert.Empty(t, md.Get("tracestate"), "no tracestate of the earlier trace")
}

// With the default no-op provider and no span in the message's context,
// nothing replaces the trace context a message carries: one set by hand
// (from a caller outside OpenTelemetry) travels on.
func TestDecoratePublisherKeepsTheTraceContextOfAMessageWhenNoSpanIsSent(t *testing.T) {
	tr, err := tracing.New(tracing.Config{})
	require.NoError(t, err)
	inner := &capturePublisher{}
	pub, err := tr.DecoratePublisher(inner)
	require.NoError(t, err)
	const parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	msg := message.NewMessage("u-1", nil)
	msg.Metadata.Set(sourceflow.MetaTraceParent, parent)
	msg.Metadata.Set("tracestate", "vendor=caller")

	require.NoError(t, pub.Publish("orders", msg))

	require.Len(t, inner.metadata, 1)
	assert.Equal(t, parent, inner.metadata[0].Get(sourceflow.MetaTraceParent))
	assert.Equal(t, "vendor=caller", inner.metadata[0].Get("tracestate"))
}
