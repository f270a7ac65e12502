package tracing

import (
	"context"
	"errors"
	"strconv"

	"github.com/ThreeDotsLabs/watermill/message"
	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/sourceflow-go/sourceflow"
)

// Attributes of one delivery, from the consume markers the transport sets
// (awsbus, and cqrs's ChannelTransport and PubSubTransport, so sqlbus; see
// sourceflow.MetaDeliveryCount).
const (
	// AttrDeliveryCount is the number of the delivery a consumer span
	// handles, 1 for the first (sourceflow.MetaDeliveryCount: SQS's
	// ApproximateReceiveCount, cqrs's in-process delivery). The messaging
	// conventions have no generic key for it; this one follows their
	// system-specific ones
	// (messaging.servicebus.message.delivery_count,
	// messaging.gcp_pubsub.message.delivery_attempt).
	AttrDeliveryCount = attribute.Key("messaging.message.delivery_count")
	// AttrDeadLetterQueue is the queue a failed delivery is dead-lettered to
	// (sourceflow.MetaDeadLetterQueue), on the EventDeadLetter event.
	AttrDeadLetterQueue = attribute.Key("sourceflow.dead_letter.queue")
	// AttrDeadLetterReason says why a failed delivery is dead-lettered, on
	// the EventDeadLetter event: DeadLetterPermanent or DeadLetterLastDelivery.
	AttrDeadLetterReason = attribute.Key("sourceflow.dead_letter.reason")
)

// EventDeadLetter is the name of the event a consumer span gets when its
// handler's failure makes the transport dead-letter the message.
const EventDeadLetter = "sourceflow.dead_letter"

// Values of AttrDeadLetterReason: a permanent failure (sourceflow.Permanent)
// is dead-lettered at once, any failure of the last delivery the queue or
// transport allows (sourceflow.MetaLastDelivery) too.
const (
	DeadLetterPermanent    = "permanent"
	DeadLetterLastDelivery = "last_delivery"
)

// maxConsumerAttributes is how many attributes the consumer span sets at
// its start: messageAttributes' four, appendDeliveryAttributes' two and the
// handler; one slice of this capacity holds them without growing.
const maxConsumerAttributes = 7

// appendDeliveryAttributes appends to attrs the attributes of msg's
// delivery: its delivery count and, when the transport received it from a
// queue subscribed to the destination it was sent to, that queue as
// messaging.destination.subscription.name.
func appendDeliveryAttributes(attrs []attribute.KeyValue, msg *message.Message) []attribute.KeyValue {
	if n, err := strconv.ParseInt(msg.Metadata.Get(sourceflow.MetaDeliveryCount), 10, 64); err == nil {
		attrs = append(attrs, AttrDeliveryCount.Int64(n))
	}
	if queue := msg.Metadata.Get(sourceflow.MetaSubscription); queue != "" {
		attrs = append(attrs, semconv.MessagingDestinationSubscriptionName(bounded(queue)))
	}
	return attrs
}

// markDeadLettered adds EventDeadLetter to span when msg's failure err
// makes its transport dead-letter it: the transport named a dead-letter
// queue (sourceflow.MetaDeadLetterQueue) and the failure is marked
// permanent for it or this is the message's last delivery
// (sourceflow.IsLastDelivery: marked so, sourceflow.MetaLastDelivery, or
// become so after it was handed out, as cqrs's ChannelTransport's while it
// closes). A permanent failure is marked when msg
// carries sourceflow.MetaFailure already (the span sits outside cqrs's
// mark) or when err is permanent and msg is handled inside that mark
// (sourceflow.FailuresMarked of ctx, the context msg arrived with: cqrs's
// service runs its HandlerMiddleware so); a transport takes any other for
// an ordinary failure and delivers the message again. A last delivery
// does not dead-letter a message held elsewhere that its transport hands
// back instead (sourceflow.LastDeliveryUnlessInProgress; see
// heldElsewhere), nor one whose failure found the service's store
// unavailable that its transport delivers again without counting it
// (sourceflow.StoreFailureRedelivered; see storeUnavailable). The
// transport copies the message after the
// span ends; a copy that fails is logged (awsbus's queue's redrive policy
// then moves the message instead; cqrs's transports deliver it again).
func markDeadLettered(ctx context.Context, span trace.Span, msg *message.Message, err error) {
	queue := msg.Metadata.Get(sourceflow.MetaDeadLetterQueue)
	if queue == "" {
		return
	}
	reason := DeadLetterLastDelivery
	switch {
	case msg.Metadata.Get(sourceflow.MetaFailure) != "" || sourceflow.IsPermanent(err) && sourceflow.FailuresMarked(ctx):
		reason = DeadLetterPermanent
	case msg.Metadata.Get(sourceflow.MetaLastDelivery) == sourceflow.LastDeliveryUnlessInProgress && heldElsewhere(ctx, msg, err):
		return // handed back to the Pub/Sub
	case !sourceflow.IsLastDelivery(ctx, msg.Metadata):
		return
	case sourceflow.StoreFailureRedelivered(ctx, msg.Metadata) && storeUnavailable(ctx, msg, err):
		return // delivered again, the failure not counted
	}
	span.AddEvent(EventDeadLetter, trace.WithAttributes(
		AttrDeadLetterQueue.String(bounded(queue)), AttrDeadLetterReason.String(reason)))
}

// AttrRetriedRun is the number of a failed handler run (1 for the first) on
// the exception event a retry loop's retried run adds to the consumer span.
const AttrRetriedRun = attribute.Key("sourceflow.retry.run")

// retriedRunRecorder returns the observer of the retried runs of span's
// handler: each adds an exception event with its run number.
func retriedRunRecorder(span trace.Span) func(int, error) {
	return func(run int, err error) {
		recordException(span, err, AttrRetriedRun.Int(run))
	}
}

// heldElsewhere reports whether msg's failure err is marked for its
// transport as one that found the message held elsewhere: msg carries
// sourceflow.MetaInProgress already (the span sits outside cqrs's mark),
// or err is sourceflow.ErrInProgress and msg is handled inside that mark
// (sourceflow.FailuresMarked of ctx), which marks it once the span ended.
func heldElsewhere(ctx context.Context, msg *message.Message, err error) bool {
	return msg.Metadata.Get(sourceflow.MetaInProgress) != "" ||
		errors.Is(err, sourceflow.ErrInProgress) && sourceflow.FailuresMarked(ctx)
}

// storeUnavailable reports whether msg's failure err is marked for its
// transport as one that found the service's store unavailable: msg carries
// sourceflow.MetaStoreUnavailable already (the span sits outside cqrs's
// mark), or err is sourceflow.ErrStoreUnavailable and msg is handled inside
// that mark (sourceflow.FailuresMarked of ctx), which marks it once the
// span ended.
func storeUnavailable(ctx context.Context, msg *message.Message, err error) bool {
	return msg.Metadata.Get(sourceflow.MetaStoreUnavailable) != "" ||
		sourceflow.IsStoreUnavailable(err) && sourceflow.FailuresMarked(ctx)
}
