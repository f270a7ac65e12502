package cqrs

import (
	"context"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// bury dead-letters orig, whose copy m failed on delivery attempt, with
// reason and acks it; when the dead letter fails, orig is nacked back to
// the Pub/Sub after a pause, its count, the reason and where m's handler
// failed kept: when it comes back it is delivered again (see pastLast),
// and the pause keeps a message whose dead letter keeps failing from
// cycling without end between its handler and the Pub/Sub.
func (r redelivery) bury(ctx context.Context, draining <-chan struct{}, topic string, orig, m *message.Message, reason string, attempt int) {
	r.buryOwing(ctx, draining, topic, orig, m, reason, attempt, attempt)
}

// buryOwing is bury recording, when the dead letter fails, owed as the
// count at which the message is delivered once more when it comes back
// (see pastLast): the attempt itself after a delivery, the count of an
// earlier refused dead letter when the message was not delivered this time.
func (r redelivery) buryOwing(ctx context.Context, draining <-chan struct{}, topic string, orig, m *message.Message, reason string, attempt, owed int) {
	if err := r.deadLetterWithin(ctx, topic, deadLetterOf(orig, m, reason), reason, attempt); err != nil {
		r.counts.refusedDeadLetter(orig.UUID, reason, failedOriginOf(m), owed)
		pause(ctx, draining, r.pause(attempt)) // the Pub/Sub may redeliver at once: do not spin
		orig.Nack()
		return
	}
	r.counts.settled(orig.UUID)
	orig.Ack()
}

// deadLetterTimeout bounds one dead-letter publish.
const deadLetterTimeout = 30 * time.Second

// deadLetterWithin dead-letters dead in a context that ends with the
// delivery's, or after deadLetterTimeout, so a slow Pub/Sub cannot hold a
// drain past its bound.
func (r redelivery) deadLetterWithin(ctx context.Context, topic string, dead *message.Message, reason string, deliveries int) error {
	dctx, cancel := context.WithTimeout(dead.Context(), deadLetterTimeout)
	defer cancel()
	defer context.AfterFunc(ctx, cancel)()
	dead.SetContext(dctx)
	return r.deadLetter(topic, dead, reason, deliveries)
}

// deadLetterOf is the message to dead-letter: orig as the Pub/Sub delivered
// it (not the consumer's copy, which a decrypting step may have changed),
// with the reason, and the last error and where the handler failed
// (failedOriginOf) as the consumer recorded them.
func deadLetterOf(orig, consumed *message.Message, reason string) *message.Message {
	dead := copyWithRoom(orig, deadLetterMarkers, sourceflow.IsConsumeMarker)
	dead.Metadata.Set(sourceflow.MetaFailure, reason)
	if last := consumed.Metadata.Get(sourceflow.MetaLastError); last != "" {
		dead.Metadata.Set(sourceflow.MetaLastError, last)
	}
	failedOriginOf(consumed).mark(dead)
	return dead
}

// deadLetterMarkers is how many keys deadLetterOf sets: the failure, the
// last error, the failed host and version.
const deadLetterMarkers = 4
