package tracing_test

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"

	"github.com/sourceflow-go/sourceflow/middleware/tracing"
)

// panickingPublisher panics in Publish, as a faulty transport would.
type panickingPublisher struct{}

func (panickingPublisher) Publish(string, ...*message.Message) error { panic("transport bug") }
func (panickingPublisher) Close() error                              { return nil }

// A Publish that panics still ends its producer spans, marked as errors, and
// gives the messages their own contexts back; the panic goes on.
func TestDecoratePublisherEndsSpansWhenPublishPanics(t *testing.T) {
	tr, tp, rec := recordingTracing(t, tracing.Config{})
	pub, err := tr.DecoratePublisher(panickingPublisher{})
	require.NoError(t, err)
	ctx, root := tp.Tracer("test").Start(context.Background(), "request")
	defer root.End()
	msgs := []*message.Message{message.NewMessage("u-1", nil), message.NewMessage("u-2", nil)}
	for _, m := range msgs {
		m.SetContext(ctx)
	}

	assert.PanicsWithValue(t, "transport bug", func() { _ = pub.Publish("orders", msgs...) })

	ended := rec.Ended()
	require.Len(t, ended, 2, "every producer span ends")
	for _, s := range ended {
		assert.Equal(t, "send orders", s.Name())
		assert.Equal(t, codes.Error, s.Status().Code)
		assert.Equal(t, "publish panicked", s.Status().Description)
		assert.Equal(t, "panic", attrMap(s.Attributes())["error.type"])
	}
	for _, m := range msgs {
		assert.Equal(t, ctx, m.Context(), "the caller's context is restored")
	}
}
