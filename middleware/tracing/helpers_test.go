package tracing_test

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/sourceflow-go/sourceflow/middleware/tracing"
)

// recordingTracing returns a Tracing over a real SDK provider whose ended
// spans land in the returned recorder.
func recordingTracing(t *testing.T, cfg tracing.Config) (*tracing.Tracing, *sdktrace.TracerProvider, *tracetest.SpanRecorder) {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	cfg.TracerProvider = tp
	tr, err := tracing.New(cfg)
	require.NoError(t, err)
	return tr, tp, rec
}

// spanNamed returns the one ended span called name.
func spanNamed(t *testing.T, rec *tracetest.SpanRecorder, name string) sdktrace.ReadOnlySpan {
	t.Helper()
	var found []sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		if s.Name() == name {
			found = append(found, s)
		}
	}
	require.Len(t, found, 1, "spans named %q", name)
	return found[0]
}

// attrMap flattens span attributes for assertions.
func attrMap(attrs []attribute.KeyValue) map[string]any {
	m := make(map[string]any, len(attrs))
	for _, kv := range attrs {
		m[string(kv.Key)] = kv.Value.AsInterface()
	}
	return m
}

// capturePublisher records what reaches the inner publisher and fails with
// err when err is set.
type capturePublisher struct {
	err       error
	published []*message.Message
	metadata  []message.Metadata
	contexts  []context.Context
}

func (p *capturePublisher) Publish(_ string, msgs ...*message.Message) error {
	for _, m := range msgs {
		p.published = append(p.published, m)
		md := make(message.Metadata, len(m.Metadata))
		for k, v := range m.Metadata {
			md[k] = v
		}
		p.metadata = append(p.metadata, md)
		p.contexts = append(p.contexts, m.Context())
	}
	return p.err
}

func (p *capturePublisher) Close() error { return nil }
