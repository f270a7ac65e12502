package tracing

import (
	"context"

	"github.com/ThreeDotsLabs/watermill/message"
	"go.opentelemetry.io/otel/trace"
)

// DecoratePublisher is the produce-side message.PublisherDecorator. The
// returned publisher starts one producer span named "send <topic>" per
// message, as a child of the span in msg.Context() (Watermill's Publish has
// no context parameter, so the message carries it), injects the span's trace
// context into the message metadata and publishes. While the inner Publish
// runs, msg.Context() holds the producer span, so spans of inner decorators
// (encryption, the transport) are its children; the message's own context is
// restored afterwards. When Publish fails,
// every span of the call gets status Error, the recorded error and
// error.type ("permanent" or "transient").
//
// Place it before encryption and metrics in the produce chain, so that the
// injected keys travel unencrypted beside the body.
func (t *Tracing) DecoratePublisher(pub message.Publisher) (message.Publisher, error) {
	if pub == nil {
		return nil, ErrNilPublisher
	}
	return &publisher{Publisher: pub, tracing: t}, nil
}

var _ message.PublisherDecorator = (*Tracing)(nil).DecoratePublisher

type publisher struct {
	message.Publisher
	tracing *Tracing
}

// Publish wraps the inner Publish call in one producer span per message.
// The spans end, and the messages get their own contexts back, on every
// path: a Publish that panics leaves its spans with status Error, described
// as "publish panicked", and the panic goes on.
func (p *publisher) Publish(topic string, msgs ...*message.Message) (err error) {
	if !p.tracing.recording { // no-op provider: propagate the current context, start nothing
		for _, msg := range msgs {
			p.tracing.inject(msg.Context(), msg)
		}
		return p.Publisher.Publish(topic, msgs...)
	}
	spans := make([]trace.Span, len(msgs))
	origins := make([]context.Context, len(msgs))
	for i, msg := range msgs {
		origins[i] = msg.Context()
		spans[i] = p.tracing.startSend(topic, msg)
	}
	returned := false
	defer func() { endSends(spans, msgs, origins, err, returned) }()
	err = p.Publisher.Publish(topic, msgs...)
	returned = true
	return err
}

// endSends ends the producer spans of one Publish call and gives each
// message its context back. returned is false when Publish panicked.
func endSends(spans []trace.Span, msgs []*message.Message, origins []context.Context, err error, returned bool) {
	for i, span := range spans {
		switch {
		case !returned:
			markPanicked(span, "publish")
		case err != nil:
			markFailed(span, err)
		}
		span.End()
		msgs[i].SetContext(origins[i])
	}
}

func (t *Tracing) startSend(topic string, msg *message.Message) trace.Span {
	tpl := t.template(operationSend, topic, t.sendSystem(msg))
	ctx, span := t.tracer.Start(msg.Context(), tpl.name, tpl.opts...)
	if span.IsRecording() {
		span.SetAttributes(messageAttributes(msg)...)
	}
	t.inject(ctx, msg)
	msg.SetContext(ctx)
	return span
}

// inject writes the trace context of ctx into msg's metadata. When ctx
// holds a span, that context replaces any the message carried: a
// propagator writes only the fields it has values for, so a field of an
// earlier trace (a tracestate the new span lacks) would otherwise travel
// beside the new traceparent. Without one (a no-op provider and no parent),
// the message keeps what it carries.
func (t *Tracing) inject(ctx context.Context, msg *message.Message) {
	if msg.Metadata == nil {
		msg.Metadata = make(message.Metadata)
	}
	if trace.SpanContextFromContext(ctx).IsValid() {
		for _, field := range t.propagator.Fields() {
			delete(msg.Metadata, field)
		}
	}
	t.propagator.Inject(ctx, MetadataCarrier(msg.Metadata))
}
