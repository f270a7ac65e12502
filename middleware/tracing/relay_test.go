package tracing_test

import (
	"context"
	"errors"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/tracing"
)

// A message sent into an outbox, relayed, then handled shows in one trace
// as send → relay → process: the relay span is the child of the send span
// whose context the outbox row carries, and the consumer's span the child
// of the relay span.
func TestRelaySpanSitsBetweenSendAndProcess(t *testing.T) {
	tr, _, rec := recordingTracing(t, tracing.Config{})
	into := &capturePublisher{}
	pub, err := tr.DecoratePublisher(into)
	require.NoError(t, err)
	sent := message.NewMessage("u-1", nil)
	sent.Metadata.Set(sourceflow.MetaType, "orders.OrderCreated")
	require.NoError(t, pub.Publish("outbox_orders", sent))
	row := into.metadata[0] // what the outbox stored

	ctx, done := tr.RelayObserver().Relay(context.Background(),
		sourceflow.Relayed{Outbox: "outbox_orders", Destination: "billing", Metadata: row})
	relayCtx := trace.SpanContextFromContext(ctx)
	done(nil)
	forwarded := message.NewMessage("u-1", nil)
	forwarded.Metadata = row
	_, err = tr.Middleware(func(*message.Message) ([]*message.Message, error) { return nil, nil })(forwarded)
	require.NoError(t, err)

	send := spanNamed(t, rec, "send outbox_orders")
	relay := spanNamed(t, rec, "relay billing")
	process := spanNamed(t, rec, "process")
	assert.Equal(t, relayCtx, relay.SpanContext(), "the publish context holds the relay span")
	assert.Equal(t, send.SpanContext().SpanID(), relay.Parent().SpanID())
	assert.Equal(t, send.SpanContext().TraceID(), relay.SpanContext().TraceID())
	assert.Equal(t, relay.SpanContext().SpanID(), process.Parent().SpanID())
	assert.Equal(t, trace.SpanKindProducer, relay.SpanKind())
	attrs := attrMap(relay.Attributes())
	assert.Equal(t, "send", attrs["messaging.operation.type"])
	assert.Equal(t, "relay", attrs["messaging.operation.name"])
	assert.Equal(t, "billing", attrs["messaging.destination.name"])
	assert.Equal(t, "orders.OrderCreated", attrs["sourceflow.type"])
}

// A failed attempt's span has status Error and its error.type.
func TestRelaySpanRecordsFailure(t *testing.T) {
	tr, _, rec := recordingTracing(t, tracing.Config{})
	_, done := tr.RelayObserver().Relay(context.Background(),
		sourceflow.Relayed{Outbox: "outbox_orders", Destination: "billing", Metadata: map[string]string{}})
	done(errors.New("queue unavailable"))

	relay := spanNamed(t, rec, "relay billing")
	assert.Equal(t, codes.Error, relay.Status().Code)
	assert.Equal(t, "transient", attrMap(relay.Attributes())["error.type"])
}

// A relay that publishes in the context the message was sent with (the
// DynamoDB outbox's relay after commit: the sender's context, holding the
// span the send span is a child of) still parents its span to the send
// span the message carries, not to the sender's span beside it.
func TestRelaySpanParentsToTheCarriedSendSpanOverTheContextsSpan(t *testing.T) {
	tr, tp, rec := recordingTracing(t, tracing.Config{})
	into := &capturePublisher{}
	pub, err := tr.DecoratePublisher(into)
	require.NoError(t, err)
	handling, handlingSpan := tp.Tracer("test").Start(context.Background(), "handling")
	sent := message.NewMessage("u-1", nil)
	sent.SetContext(handling)
	require.NoError(t, pub.Publish("outbox_orders", sent))

	_, done := tr.RelayObserver().Relay(sent.Context(),
		sourceflow.Relayed{Outbox: "orders", Destination: "billing", Metadata: into.metadata[0]})
	done(nil)
	handlingSpan.End()

	send := spanNamed(t, rec, "send outbox_orders")
	relay := spanNamed(t, rec, "relay billing")
	assert.Equal(t, handlingSpan.SpanContext().SpanID(), send.Parent().SpanID())
	assert.Equal(t, send.SpanContext().SpanID(), relay.Parent().SpanID(), "the relay span's parent is the send span")
}

// A message that carries no trace context (sent without tracing) gets a
// relay span that is the child of the span its publish context holds.
func TestRelaySpanOfAMessageWithoutTraceContextIsTheContextsChild(t *testing.T) {
	tr, tp, rec := recordingTracing(t, tracing.Config{})
	handling, handlingSpan := tp.Tracer("test").Start(context.Background(), "handling")
	_, done := tr.RelayObserver().Relay(handling,
		sourceflow.Relayed{Outbox: "orders", Destination: "billing", Metadata: map[string]string{}})
	done(nil)
	handlingSpan.End()

	relay := spanNamed(t, rec, "relay billing")
	assert.Equal(t, handlingSpan.SpanContext().SpanID(), relay.Parent().SpanID())
}

// An attempt whose publish panics, run through sourceflow.RunRelay, still
// ends its span, with status Error and error.type "panic"; the panic goes
// on.
func TestRelaySpanEndsWhenPublishPanics(t *testing.T) {
	tr, _, rec := recordingTracing(t, tracing.Config{})
	_, done := tr.RelayObserver().Relay(context.Background(),
		sourceflow.Relayed{Outbox: "outbox_orders", Destination: "billing", Metadata: map[string]string{}})

	assert.PanicsWithValue(t, "transport bug", func() {
		_ = sourceflow.RunRelay(func() error { panic("transport bug") }, done)
	})

	relay := spanNamed(t, rec, "relay billing")
	assert.Equal(t, codes.Error, relay.Status().Code)
	assert.Equal(t, "panic", attrMap(relay.Attributes())["error.type"])
}
