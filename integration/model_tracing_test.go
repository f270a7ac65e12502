//go:build integration

package integration

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/middleware/tracing"
)

// TestModelTraceAcrossSQSAndSNS follows one request through PayOrder (SQS),
// OrderPaid (SNS → each service's event queue) and ConfirmOrder (SQS): every
// span belongs to the request's trace, and each consumer span is the child
// of the producer span of the message it handles.
func TestModelTraceAcrossSQSAndSNS(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	f := newPayFlow(t, "", func(c *cqrs.ServiceConfig) {
		tr, err := tracing.New(tracing.Config{TracerProvider: tp, MessagingSystem: tracing.SystemAWSSQS})
		require.NoError(t, err)
		c.HandlerMiddleware = append([]message.HandlerMiddleware{tr.Middleware}, c.HandlerMiddleware...)
		c.PublisherDecorators = append(c.PublisherDecorators, tr.DecoratePublisher)
	})

	ctx, root := tp.Tracer("checkout").Start(context.Background(), "checkout")
	_, err := f.agg.Send(ctx, "order-1", PayOrder{Amount: 7})
	require.NoError(t, err)
	root.End()

	processConfirm := "process " + f.orderQ
	require.Eventually(t, func() bool {
		return len(spansNamed(rec, processConfirm)) > 0 && len(spansNamed(rec, "process "+f.paidTopic)) >= 2
	},
		snsPatience, 100*time.Millisecond, "the flow's consumer spans end")

	sendPay := oneSpan(t, rec, "send "+f.payQ, trace.SpanKindProducer, "")
	processPay := oneSpan(t, rec, "process "+f.payQ, trace.SpanKindConsumer, svcPayment+"/"+f.payQ)
	sendPaid := oneSpan(t, rec, "send "+f.paidTopic, trace.SpanKindProducer, "")
	processPaidOrders := oneSpan(t, rec, "process "+f.paidTopic, trace.SpanKindConsumer, svcOrders+"/"+f.paidTopic)
	processPaidPayments := oneSpan(t, rec, "process "+f.paidTopic, trace.SpanKindConsumer, svcPayment+"/"+f.paidTopic)
	sendConfirm := oneSpan(t, rec, "send "+f.orderQ, trace.SpanKindProducer, "")
	processConfirmSpan := oneSpan(t, rec, processConfirm, trace.SpanKindConsumer, svcOrders+"/"+f.orderQ)

	traceID := root.SpanContext().TraceID()
	for _, s := range []sdktrace.ReadOnlySpan{sendPay, processPay, sendPaid, processPaidOrders, processPaidPayments, sendConfirm, processConfirmSpan} {
		assert.Equal(t, traceID, s.SpanContext().TraceID(), "%s belongs to the request's trace", s.Name())
	}
	assertChild(t, root.SpanContext(), sendPay, false)
	assertChild(t, sendPay.SpanContext(), processPay, true)
	assertChild(t, processPay.SpanContext(), sendPaid, false)
	assertChild(t, sendPaid.SpanContext(), processPaidOrders, true)
	assertChild(t, sendPaid.SpanContext(), processPaidPayments, true)
	assertChild(t, processPaidOrders.SpanContext(), sendConfirm, false)
	assertChild(t, sendConfirm.SpanContext(), processConfirmSpan, true)
}

// spansNamed returns the ended spans called name.
func spansNamed(rec *tracetest.SpanRecorder, name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

// oneSpan returns the first ended span called name, of kind, whose
// sourceflow.handler attribute is handler (any handler when empty). A
// redelivered message starts another consumer span with the same parent, so
// every such span must share the first one's parent.
func oneSpan(t *testing.T, rec *tracetest.SpanRecorder, name string, kind trace.SpanKind, handler string) sdktrace.ReadOnlySpan {
	t.Helper()
	var found []sdktrace.ReadOnlySpan
	for _, s := range spansNamed(rec, name) {
		if handler == "" || spanHandler(s) == handler {
			found = append(found, s)
		}
	}
	require.NotEmpty(t, found, "a span %q (handler %q)", name, handler)
	slices.SortFunc(found, func(a, b sdktrace.ReadOnlySpan) int { return a.StartTime().Compare(b.StartTime()) })
	for _, s := range found {
		assert.Equal(t, kind, s.SpanKind(), name)
		assert.Equal(t, found[0].Parent(), s.Parent(), "every %q span has one parent", name)
	}
	return found[0]
}

func spanHandler(s sdktrace.ReadOnlySpan) string {
	for _, kv := range s.Attributes() {
		if kv.Key == tracing.AttrHandler {
			return kv.Value.AsString()
		}
	}
	return ""
}

// assertChild checks that child's parent is parent; a consumer's parent
// arrived in message metadata, so it is remote.
func assertChild(t *testing.T, parent trace.SpanContext, child sdktrace.ReadOnlySpan, remote bool) {
	t.Helper()
	assert.Equal(t, parent.SpanID(), child.Parent().SpanID(), "%s is the child of span %s", child.Name(), parent.SpanID())
	assert.Equal(t, parent.TraceID(), child.Parent().TraceID(), child.Name())
	assert.Equal(t, remote, child.Parent().IsRemote(), "%s: parent is remote", child.Name())
}
