package tracing

import (
	"context"

	"github.com/ThreeDotsLabs/watermill/message"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/trace"

	"github.com/sourceflow-go/sourceflow"
)

// Middleware is the consume-side message.HandlerMiddleware. For every handled
// message it extracts the producer's trace context from the metadata and
// starts a consumer span named "process <destination>" as its child (and,
// with Config.LinkToProducer, links to it). The span's context
// replaces msg.Context() for the rest of the pipeline, so spans started by
// the handler, and messages it sends with that context, are children of the
// consumer span. A handler error sets the span status to Error, records the
// error and sets error.type: "panic" for a panic recovered below into an
// error matching sourceflow.ErrPanic (as cqrs's dispatcher returns it),
// else "permanent" or "transient"; a panic that unwinds through it (Recover
// sits outside) sets status Error, described as "handler panicked", and
// error.type "panic". Each failed run of the handler that a retry loop
// below runs again (middleware.Retry, idempotency's TxRetry; see
// sourceflow.WithRetriedRunObserver) adds an exception event with the run's
// number (AttrRetriedRun), so a span whose handler succeeded on a retry
// still shows the runs that failed. The delivery's count and whether its
// failure dead-letters the message show as well (see AttrDeliveryCount and
// EventDeadLetter).
//
// With Config.RootConsumerSpans the consumer span is instead the root of a
// new trace, linked to the producer span: the sender's traceparent chooses
// neither the trace the service's spans join nor whether they are sampled.
//
// A tracestate received over 512 bytes is cut to 512 after the W3C rule
// (members over 128 bytes first, then from the end), so a producer cannot
// make every message of the chain carry a large one; an invalid
// traceparent or tracestate is ignored, and the message handled.
//
// The destination is the topic the router subscribed to
// (message.SubscribeTopicFromCtx). Place Middleware outside metrics,
// idempotency, decryption and retry, so that all of them run inside the span.
func (t *Tracing) Middleware(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		ctx := msg.Context()
		destination := message.SubscribeTopicFromCtx(ctx)
		parent := boundTraceState(t.propagator.Extract(ctx, MetadataCarrier(msg.Metadata)))
		if !t.recording { // no-op provider: carry the producer's context on, start nothing
			if t.root {
				parent = untrusted(parent)
			}
			msg.SetContext(parent)
			return h(msg)
		}

		tpl := t.template(operationProcess, destination, t.system)
		opts := t.consumerOptions(tpl.opts, parent)
		if t.root {
			parent = untrusted(parent)
		}
		spanCtx, span := t.tracer.Start(parent, tpl.name, opts...)
		if span.IsRecording() {
			attrs := appendMessageAttributes(make([]attribute.KeyValue, 0, maxConsumerAttributes), msg)
			attrs = appendDeliveryAttributes(attrs, msg)
			if handler := message.HandlerNameFromCtx(ctx); handler != "" {
				attrs = append(attrs, AttrHandler.String(handler))
			}
			span.SetAttributes(attrs...)
		}
		returned := false
		defer func() {
			if !returned {
				markPanicked(span, "handler")
			}
			span.End()
		}()

		if span.IsRecording() {
			spanCtx = sourceflow.WithRetriedRunObserver(spanCtx, retriedRunRecorder(span))
		}
		msg.SetContext(spanCtx)
		produced, err := h(msg)
		returned = true
		if err != nil {
			markFailed(span, err)
			markDeadLettered(ctx, span, msg, err)
		}
		return produced, err
	}
}

// consumerOptions returns the start options of a consumer span whose
// producer's context parent carries: the template's, and a link to the
// producer span with Config.LinkToProducer, or with
// Config.RootConsumerSpans a new root and that link.
func (t *Tracing) consumerOptions(opts []trace.SpanStartOption, parent context.Context) []trace.SpanStartOption {
	producer := trace.SpanContextFromContext(parent)
	if t.root {
		opts = append(opts[:len(opts):len(opts)], trace.WithNewRoot())
	}
	if (t.link || t.root) && producer.IsRemote() {
		opts = append(opts[:len(opts):len(opts)], trace.WithLinks(trace.Link{SpanContext: producer}))
	}
	return opts
}

// untrusted returns ctx without what a sender's message put in it, for
// RootConsumerSpans: its span context and its baggage.
func untrusted(ctx context.Context) context.Context {
	return baggage.ContextWithoutBaggage(trace.ContextWithSpanContext(ctx, trace.SpanContext{}))
}
