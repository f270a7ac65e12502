package tracing_test

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/tracing"
)

func TestMetadataCarrierRoundTrip(t *testing.T) {
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{0x4b, 0xf9, 1},
		SpanID:     trace.SpanID{0x00, 0xf0, 2},
		TraceFlags: trace.FlagsSampled,
	})
	md := message.Metadata{sourceflow.MetaType: "orders.CreateOrder"}
	prop := propagation.TraceContext{}

	prop.Inject(trace.ContextWithSpanContext(context.Background(), sc), tracing.MetadataCarrier(md))
	got := trace.SpanContextFromContext(prop.Extract(context.Background(), tracing.MetadataCarrier(md)))

	assert.Equal(t, sc.TraceID(), got.TraceID())
	assert.Equal(t, sc.SpanID(), got.SpanID())
	assert.True(t, got.IsRemote())
	assert.ElementsMatch(t, []string{sourceflow.MetaType, sourceflow.MetaTraceParent},
		tracing.MetadataCarrier(md).Keys())
	require.Equal(t, "orders.CreateOrder", tracing.MetadataCarrier(md).Get(sourceflow.MetaType))
	assert.Empty(t, tracing.MetadataCarrier(md).Get("missing"))
}
