package tracing_test

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/tracing"
)

// By default the consumer span is a child of whatever traceparent the
// message carries, so a sender who may write to the queue picks the trace id (so the service's spans join a
// trace of the sender's making) and the sampled flag, which the SDK's
// default ParentBased sampler obeys: a service sampling none of its own
// traffic records and exports a span for every message flagged sampled.
// Config.RootConsumerSpans, meant for queues shared with other senders,
// starts the consumer span as a new root linked to the producer's context
// (LinkToProducer alone only adds a link beside the parent).
func TestWithRootConsumerSpansTheSenderDoesNotChooseTheConsumersTrace(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.NeverSample())))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	tr, err := tracing.New(tracing.Config{TracerProvider: tp, LinkToProducer: true, RootConsumerSpans: true})
	require.NoError(t, err)
	const forgedTrace = "0af7651916cd43dd8448eb211c80319c"

	msg := message.NewMessage("uuid-1", []byte(`{}`))
	msg.Metadata.Set(sourceflow.MetaTraceParent, "00-"+forgedTrace+"-b7ad6b7169203331-01")
	_, err = tr.Middleware(func(*message.Message) ([]*message.Message, error) { return nil, nil })(msg)
	require.NoError(t, err)

	for _, s := range rec.Ended() {
		t.Logf("recorded span %q in trace %s", s.Name(), s.SpanContext().TraceID())
		assert.NotEqual(t, forgedTrace, s.SpanContext().TraceID().String(),
			"a sender's traceparent should not put the consumer span in the sender's trace")
	}
	assert.Empty(t, rec.Ended(), "a service that samples none of its traffic should record no span because a message says sampled")
}
