package tracing

import (
	"context"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// operationRelay names the span of an outbox's forward of one message:
// "relay <destination>", of messaging.operation.type "send".
const operationRelay = "relay"

// RelayObserver returns the sourceflow.RelayObserver that gives each
// attempt of an outbox's relay to forward a message a producer span named
// "relay <destination>" (messaging.operation.type "send",
// messaging.operation.name "relay", the message's id, type, entity and
// sequence), a child of the producer span whose trace context the message
// carries from its send into the outbox, even when the relay publishes in
// a context holding another span (the DynamoDB outbox's relay after commit
// runs in the sender's), or of the context's span when the message carries
// none. Its trace context replaces that one in the message, and the
// context the message is published with holds the span, so the consumer's
// span (or an inner publisher's "send" span) is its child: a trace shows
// send into the outbox, relay, process. A failed attempt's span has status
// Error and error.type; one whose publish panicked, run through
// sourceflow.RunRelay, error.type "panic". Give it to the outbox's Config
// (RelayObservers).
func (t *Tracing) RelayObserver() sourceflow.RelayObserver { return relayObserver{t} }

type relayObserver struct{ t *Tracing }

// Relay implements sourceflow.RelayObserver.
func (o relayObserver) Relay(ctx context.Context, r sourceflow.Relayed) (context.Context, func(error)) {
	t := o.t
	if r.Metadata == nil {
		return ctx, func(error) {}
	}
	// The carried context wins over a span ctx holds (the sender's, when
	// the relay publishes in the sending context): the send span is the
	// relay span's parent. Without one, ctx's span stays the parent.
	ctx = t.propagator.Extract(ctx, MetadataCarrier(r.Metadata))
	tpl := t.template(operationRelay, r.Destination, t.system)
	ctx, span := t.tracer.Start(ctx, tpl.name, tpl.opts...)
	if span.IsRecording() {
		span.SetAttributes(messageAttributes(&message.Message{Metadata: r.Metadata})...)
	}
	t.inject(ctx, &message.Message{Metadata: r.Metadata})
	return ctx, func(err error) {
		if err != nil {
			markFailed(span, err)
		}
		span.End()
	}
}
