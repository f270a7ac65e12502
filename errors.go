package sourceflow

import (
	"errors"
	"fmt"
)

// ErrPermanent marks a failure that no retry can cure: an undecodable body, an
// unknown type, a failed decryption. Retry policies skip it and transports
// that can dead-letter a message at once do so instead of redelivering it.
var ErrPermanent = errors.New("sourceflow: permanent failure")

// MetaFailure is set on a consumed message, before it is nacked, when its
// handler failed permanently. Its value is the error text (never the payload).
// A transport that can dead-letter at once reads it from the nacked message.
const MetaFailure = "sf_failure"

// Permanent wraps err so that errors.Is(err, ErrPermanent) holds while the
// original error stays reachable with errors.Is and errors.As. Permanent(nil)
// is nil.
func Permanent(err error) error { return markWith(err, ErrPermanent) }

// IsPermanent reports whether err is marked permanent.
func IsPermanent(err error) bool { return errors.Is(err, ErrPermanent) }

// ErrNoListener marks a publish refused because nothing in this process
// listens to its destination: a command sent in process before the
// service that handles it started, or after it closed. It tells of the
// wiring or the start order, not of the destination's health, so circuit
// breakers do not count it (middleware.IsCircuitFailure). It is not
// marked permanent: a handler whose send fails with it is retried and its
// message redelivered as after any passing failure, since the listener may
// yet start. cqrs.ErrNoListener is this error.
var ErrNoListener = errors.New("sourceflow: no listener for destination")

// ErrCircuitOpen marks a publish a circuit breaker refused without trying
// it: the destination kept failing, and its circuit refuses every publish
// until its cool-down ends (middleware.CircuitBreaker returns it as
// middleware.ErrCircuitOpen). It is not permanent: the message of a handler
// that fails with it is redelivered later. The retry loops of the consume
// side (middleware.Retry, the idempotency middleware's TxRetry) do not run
// that handler again at once, since the circuit would refuse again, unless
// the refusal also matches ErrCircuitHalfOpen (and no other error joined
// with it is an open circuit's refusal).
var ErrCircuitOpen = errors.New("sourceflow: circuit open")

// ErrCircuitHalfOpen marks a publish a half-open circuit refused because
// its one probe publish has not returned. It matches ErrCircuitOpen too, as
// every refusal of a circuit does; unlike an open circuit's refusal it
// clears within one publish (the probe closes the circuit, or opens it
// again), so the retry loops of the consume side run the handler again
// after it, as after any transient failure.
var ErrCircuitHalfOpen = fmt.Errorf("%w: half-open", ErrCircuitOpen)

// ErrInProgress marks a delivery refused because another consumer holds
// the message (a live idempotency lease): not a failure of the message, so
// transports hand it back for a later delivery rather than dead-letter it.
var ErrInProgress = errors.New("sourceflow: message is being handled elsewhere")

// MetaInProgress is set to "true" on a consumed message, before it is
// nacked, when its handler failed with ErrInProgress.
const MetaInProgress = "sf_in_progress"

// MetaDuplicate is set to "true" on a consumed message that an idempotency
// phase acknowledged as a duplicate without running its handler, so outer
// phases (metrics) can count it apart from a success.
const MetaDuplicate = "sf_duplicate"

// MetaFiltered is set on a consumed event that its consumer acknowledged
// and dropped without running a handler because no version of its
// consumer group handles its type (the event type filter of the
// transports without SNS filter policies), so outer phases (metrics) can
// count it apart from a success. Its value is the consumer group, the
// service's name.
const MetaFiltered = "sf_filtered"

// MetaDeadLetteredBy is set on a dead letter, next to MetaFailure, by a
// transport whose dead-letter topic every consumer group of a destination
// shares (cqrs.PubSubTransport, so sqlbus): its value is the consumer
// group, the service's name, whose delivery dead-lettered the message, so
// an operator reading the shared dead letters (`sourceflow sql
// dead-letters`) can tell whose handler failed. Like MetaFailure it
// describes one dead-lettering: a message moved back from the dead-letter
// topic drops it when it is received (IsConsumeMarker).
const MetaDeadLetteredBy = "sf_dead_lettered_by"

// MetaLastError is set on a consumed message, before it is nacked, when its
// handler failed with an error a retry may cure. Its value is the error text
// (never the payload). A transport that dead-letters a message on its last
// allowed receive reads it for the reason.
const MetaLastError = "sf_last_error"

// IsConsumeMarker reports whether key is one of the markers the consume
// pipeline sets on a message being handled (MetaFailure, MetaLastError,
// MetaFailedHost, MetaFailedVersion, MetaRetryAfter, MetaInProgress,
// MetaStoreUnavailable, MetaDuplicate, MetaFiltered), a transport sets on one it hands out
// (MetaDeliveryCount, MetaLastDelivery, MetaStoreFailureUncounted,
// MetaDeadLetterQueue, MetaSubscription) or on a dead letter (MetaDeadLetteredBy).
// They describe one delivery: transports never send them and drop them from
// what they receive, so a message moved back from a dead-letter queue is not
// taken for a permanent failure again.
func IsConsumeMarker(key string) bool {
	switch key {
	case MetaFailure, MetaLastError, MetaRetryAfter, MetaInProgress, MetaStoreUnavailable, MetaDuplicate, MetaFiltered,
		MetaDeliveryCount, MetaLastDelivery, MetaStoreFailureUncounted, MetaDeadLetterQueue, MetaSubscription, MetaDeadLetteredBy,
		MetaFailedHost, MetaFailedVersion:
		return true
	}
	return false
}
