package tracing_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware"
	"github.com/sourceflow-go/sourceflow/middleware/tracing"
)

// TestMiddlewareSpanAttributes is long because of its case table.
func TestMiddlewareSpanAttributes(t *testing.T) {
	tests := map[string]struct {
		cfg       tracing.Config
		metadata  map[string]string
		wantName  string
		wantAttrs map[string]any
		absent    []string
	}{
		"full envelope on SQS": {
			cfg: tracing.Config{MessagingSystem: tracing.SystemAWSSQS},
			metadata: map[string]string{
				sourceflow.MetaType: "orders.CreateOrder", sourceflow.MetaMessageID: "m-1",
				sourceflow.MetaEntityID: "o-1", sourceflow.MetaSequence: "42",
			},
			wantName: "process orders.fifo",
			wantAttrs: map[string]any{
				"messaging.system": "aws_sqs", "messaging.destination.name": "orders.fifo",
				"messaging.operation.type": "process", "messaging.operation.name": "process",
				"messaging.message.id": "m-1", "sourceflow.type": "orders.CreateOrder",
				"sourceflow.entity.id": "o-1", "sourceflow.sequence": int64(42),
			},
		},
		"plain watermill message falls back to its UUID": {
			metadata: map[string]string{},
			wantName: "process orders.fifo",
			wantAttrs: map[string]any{
				"messaging.system": "gochannel", "messaging.message.id": "uuid-1",
			},
			absent: []string{"sourceflow.type", "sourceflow.entity.id", "sourceflow.sequence"},
		},
		"non-numeric sequence stays a string": {
			metadata:  map[string]string{sourceflow.MetaSequence: "x7"},
			wantName:  "process orders.fifo",
			wantAttrs: map[string]any{"sourceflow.sequence": "x7"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tr, _, rec := recordingTracing(t, tc.cfg)
			msg := message.NewMessage("uuid-1", nil)
			for k, v := range tc.metadata {
				msg.Metadata.Set(k, v)
			}

			handleViaRouter(t, tr, "orders.fifo", msg)

			span := spanNamed(t, rec, tc.wantName)
			assert.Equal(t, trace.SpanKindConsumer, span.SpanKind())
			assert.Equal(t, codes.Unset, span.Status().Code)
			attrs := attrMap(span.Attributes())
			for k, v := range tc.wantAttrs {
				assert.Equal(t, v, attrs[k], k)
			}
			for _, k := range tc.absent {
				assert.NotContains(t, attrs, k)
			}
		})
	}
}

func TestMiddlewareLinkToProducer(t *testing.T) {
	const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	for name, tc := range map[string]struct {
		link  bool
		links int
	}{"parent only": {false, 0}, "parent and link": {true, 1}} {
		t.Run(name, func(t *testing.T) {
			tr, _, rec := recordingTracing(t, tracing.Config{LinkToProducer: tc.link})
			msg := message.NewMessage("uuid-1", nil)
			msg.Metadata.Set(sourceflow.MetaTraceParent, parent)

			_, err := tr.Middleware(func(*message.Message) ([]*message.Message, error) { return nil, nil })(msg)
			require.NoError(t, err)

			span := spanNamed(t, rec, "process")
			assert.Equal(t, "00f067aa0ba902b7", span.Parent().SpanID().String())
			require.Len(t, span.Links(), tc.links)
			if tc.links == 1 {
				assert.Equal(t, span.Parent(), span.Links()[0].SpanContext)
			}
		})
	}
}

func TestMiddlewareHandlerErrorMarksSpan(t *testing.T) {
	tr, _, rec := recordingTracing(t, tracing.Config{})
	boom := errors.New("saga rejected the command")
	msg := message.NewMessage("uuid-1", nil)

	_, err := tr.Middleware(func(*message.Message) ([]*message.Message, error) { return nil, boom })(msg)

	require.ErrorIs(t, err, boom, "the handler error is returned unchanged")
	span := spanNamed(t, rec, "process")
	assert.Equal(t, codes.Error, span.Status().Code)
	assert.Equal(t, boom.Error(), span.Status().Description)
	require.Len(t, span.Events(), 1)
	assert.Equal(t, "exception", span.Events()[0].Name)
	assert.Equal(t, "transient", attrMap(span.Attributes())["error.type"])
}

// A permanent error (dead-lettered at once) is told apart on the span.
func TestMiddlewarePermanentErrorMarksSpan(t *testing.T) {
	tr, _, rec := recordingTracing(t, tracing.Config{})
	boom := sourceflow.Permanent(errors.New("unknown type"))

	_, err := tr.Middleware(func(*message.Message) ([]*message.Message, error) { return nil, boom })(message.NewMessage("uuid-1", nil))

	require.ErrorIs(t, err, boom)
	span := spanNamed(t, rec, "process")
	assert.Equal(t, codes.Error, span.Status().Code)
	assert.Equal(t, "permanent", attrMap(span.Attributes())["error.type"])
}

func TestMiddlewareWithoutTraceContextStartsRootSpan(t *testing.T) {
	tr, _, rec := recordingTracing(t, tracing.Config{})
	msg := message.NewMessage("uuid-1", nil)

	_, err := tr.Middleware(func(*message.Message) ([]*message.Message, error) { return nil, nil })(msg)
	require.NoError(t, err)

	span := spanNamed(t, rec, "process") // no subscribed topic: the operation alone
	assert.False(t, span.Parent().IsValid())
	assert.Empty(t, span.Links())
}

func TestMiddlewareDefaultNoopPassesTraceContextThrough(t *testing.T) {
	tr, err := tracing.New(tracing.Config{})
	require.NoError(t, err)
	const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	msg := message.NewMessage("uuid-1", nil)
	msg.Metadata.Set(sourceflow.MetaTraceParent, parent)

	var inHandler trace.SpanContext
	_, err = tr.Middleware(func(m *message.Message) ([]*message.Message, error) {
		inHandler = trace.SpanContextFromContext(m.Context())
		return nil, nil
	})(msg)
	require.NoError(t, err)

	assert.False(t, trace.SpanFromContext(msg.Context()).IsRecording())
	assert.Equal(t, "4bf92f3577b34da6a3ce929d0e0e4736", inHandler.TraceID().String())
	assert.Equal(t, "00f067aa0ba902b7", inHandler.SpanID().String(), "a no-op provider keeps the producer's context")
}

// handleViaRouter delivers msg to a router handler on topic through a
// gochannel pub/sub, with tr's middleware, and returns once the handler's
// span has ended.
func handleViaRouter(t *testing.T, tr *tracing.Tracing, topic string, msg *message.Message) {
	t.Helper()
	logger := watermill.NopLogger{}
	pubSub := gochannel.NewGoChannel(gochannel.Config{}, logger)
	t.Cleanup(func() { _ = pubSub.Close() })
	router, err := message.NewRouter(message.RouterConfig{}, logger)
	require.NoError(t, err)
	router.AddMiddleware(tr.Middleware)
	done := make(chan struct{})
	router.AddConsumerHandler("h", topic, pubSub, func(*message.Message) error {
		close(done)
		return nil
	})
	runRouter(t, router)
	require.NoError(t, pubSub.Publish(topic, msg))
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("message was not handled")
	}
	require.NoError(t, router.Close())
}

// A handler that panics under the middleware (Recover outside it) ends the
// span with status Error.
func TestMiddlewareHandlerPanicMarksSpan(t *testing.T) {
	tr, _, rec := recordingTracing(t, tracing.Config{})
	panicking := tr.Middleware(func(*message.Message) ([]*message.Message, error) { panic("nil map") })

	_, err := middleware.Recover(panicking)(message.NewMessage("uuid-1", nil))

	require.Error(t, err)
	span := spanNamed(t, rec, "process")
	assert.Equal(t, codes.Error, span.Status().Code)
	assert.Equal(t, "handler panicked", span.Status().Description)
	assert.Equal(t, "panic", attrMap(span.Attributes())["error.type"])
}

// A panic recovered below the middleware (cqrs's dispatcher returns it as a
// *sourceflow.PanicError) is told apart on the span as one that unwinds
// through it is, even when its value is a permanent error.
func TestMiddlewareRecoveredPanicMarksSpan(t *testing.T) {
	for name, value := range map[string]any{
		"value":           "nil map",
		"permanent error": sourceflow.Permanent(errors.New("bad state")),
	} {
		t.Run(name, func(t *testing.T) {
			tr, _, rec := recordingTracing(t, tracing.Config{})
			recovered := &sourceflow.PanicError{Value: value}

			_, err := tr.Middleware(func(*message.Message) ([]*message.Message, error) {
				return nil, fmt.Errorf("handler %q: %w", "order", recovered)
			})(message.NewMessage("uuid-1", nil))

			require.ErrorIs(t, err, sourceflow.ErrPanic)
			span := spanNamed(t, rec, "process")
			assert.Equal(t, codes.Error, span.Status().Code)
			assert.Equal(t, "panic", attrMap(span.Attributes())["error.type"])
		})
	}
}

// The id, type, entity and sequence of a consumed message come from its
// sender: each is cut to 256 bytes on the span, so one message cannot make
// spans too large for the tracing backend.
func TestMiddlewareCutsLongMetadataOnTheSpan(t *testing.T) {
	tr, _, rec := recordingTracing(t, tracing.Config{})
	long := strings.Repeat("x", 255) + strings.Repeat("é", 50_000)
	msg := message.NewMessage("uuid-1", nil)
	for _, k := range []string{sourceflow.MetaMessageID, sourceflow.MetaType, sourceflow.MetaEntityID, sourceflow.MetaSequence} {
		msg.Metadata.Set(k, long)
	}

	handleViaRouter(t, tr, "orders.fifo", msg)

	attrs := attrMap(spanNamed(t, rec, "process orders.fifo").Attributes())
	want := strings.Repeat("x", 255) + "…" // not inside the 2-byte é
	for _, k := range []string{"messaging.message.id", "sourceflow.type", "sourceflow.entity.id", "sourceflow.sequence"} {
		assert.Equal(t, want, attrs[k], k)
	}
}
