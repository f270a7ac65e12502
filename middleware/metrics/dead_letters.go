package metrics

import "go.opentelemetry.io/otel/metric"

// DeadLetterSource reports how many messages a transport dead-lettered
// since it was created, by destination (the queue or topic each was
// consumed from, or, for an outbox's messages, sent to). Every count only
// grows. awsbus.Transport, cqrs.ChannelTransport, cqrs.PubSubTransport (so
// sqlbus's transport), outbox.Transport and dynamostore.Outbox implement
// it, each counting only what it dead-lettered itself: give each to one
// Config, so a dead letter is counted once. DeadLettersFunc adapts a function.
type DeadLetterSource interface {
	// DeadLettersByDestination returns the cumulative count of each
	// destination that dead-lettered a message. The map is the caller's.
	DeadLettersByDestination() map[string]int64
}

// DeadLettersFunc adapts a function to DeadLetterSource.
type DeadLettersFunc func() map[string]int64

// DeadLettersByDestination calls f.
func (f DeadLettersFunc) DeadLettersByDestination() map[string]int64 { return f() }

// observeDeadLetters reports every destination's dead-letter count, summed
// over the sources that report it.
func (o *observable) observeDeadLetters(obs metric.Observer) {
	sum := map[string]int64{}
	for _, s := range o.deadLetters {
		for dest, n := range s.DeadLettersByDestination() {
			sum[dest] += n
		}
	}
	for dest, n := range sum {
		obs.ObserveInt64(o.deadLettered, n, metric.WithAttributes(AttrDestination.String(dest)))
	}
}
