package metrics

import (
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// Middleware is the consume-side message.HandlerMiddleware. Per message it
// adds one to NameMessageReceived on entry and, when the inner pipeline
// returns, one to NameMessageProcessed and a NameMessageProcessingDuration
// sample (seconds), with attributes sourceflow.type,
// messaging.destination.name (the router's subscribed topic),
// messaging.destination.subscription.name when the transport received the
// message from a queue subscribed to that topic (sourceflow.MetaSubscription:
// awsbus's event queue, the queue NameQueueDepth reports) and
// sourceflow.outcome: OutcomeError when the pipeline returned an error (plus
// error.type "permanent" or "transient"), OutcomeFiltered when the message
// carries sourceflow.MetaFiltered (an event the event type filter of its
// consumer group dropped; it also adds one to NameEventsFiltered, by
// destination and consumer group), OutcomeDuplicate when
// Config.IsDuplicate says so, else OutcomeSuccess. A panic that unwinds
// through it (Recover sits outside) counts as an error, permanent when its
// value is a permanent error, as Recover reports it; the panic goes on.
// (Under GODEBUG=panicnil=1 a panic(nil) cannot be told from
// runtime.Goexit and ends here.)
//
// Before the inner pipeline runs it records a NameCriticalTime sample, the
// seconds from the message's sourceflow.MetaOccurredAt to then, with the
// attributes of NameMessageReceived: zero for a sending time up to five
// minutes ahead (a sender's clock running fast); none for a message
// without a sending time, with one that does not parse, with Go's zero
// time or with one further ahead.
//
// Place it after tracing and before idempotency, so duplicates are counted.
func (m *Metrics) Middleware(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		ctx := msg.Context()
		typ, dest, sub := messageType(msg), message.SubscribeTopicFromCtx(ctx), msg.Metadata.Get(sourceflow.MetaSubscription)
		sets := m.attrs.lookup(typ, dest, sub)
		m.consume.received.Add(ctx, 1, sets.base.add...)

		start := time.Now()
		m.recordCriticalTime(ctx, msg, start, sets.base)
		var opt options
		returned := false
		defer func() {
			var v any
			if !returned { // h panicked, or called runtime.Goexit (v nil)
				v = recover()
				opt = sets.transient
				if err, ok := v.(error); ok && sourceflow.IsPermanent(err) {
					opt = sets.permanent
				}
			}
			m.consume.processed.Add(ctx, 1, opt.add...)
			m.consume.duration.Record(ctx, time.Since(start).Seconds(), opt.record...)
			if v != nil {
				panic(v) // on the stack still under it: Recover's stack shows where h panicked
			}
		}()
		produced, err := h(msg)
		switch {
		case sourceflow.IsPermanent(err):
			opt = sets.permanent
		case err != nil:
			opt = sets.transient
		case msg.Metadata[sourceflow.MetaFiltered] != "":
			opt = sets.filtered
			m.consume.filtered.Add(ctx, 1, sets.filteredBy(msg.Metadata[sourceflow.MetaFiltered])...)
		case m.isDuplicate(msg):
			opt = sets.duplicate
		default:
			opt = sets.success
			m.attrs.succeeded(typ, dest, sub, sets)
		}
		returned = true
		return produced, err
	}
}

// messageType is the sourceflow.type value of msg.
func messageType(msg *message.Message) string {
	if t := msg.Metadata.Get(sourceflow.MetaType); t != "" {
		return t
	}
	return unknownType
}
