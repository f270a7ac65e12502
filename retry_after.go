package sourceflow

import (
	"errors"
	"time"
)

// MetaRetryAfter is set on a consumed message, before it is nacked, when its
// handler failed with an error a retry may cure that RetryAfter marked. Its
// value is the delay as time.Duration's text ("2m0s"). A transport that
// schedules the message's next delivery reads it with RetryAfterHint and
// waits that long instead of its own backoff, within a bound of its own:
// awsbus's nack visibility at most awsbus.MaxNackBackoff (5 minutes), the
// in-process redelivery of cqrs's PubSubTransport at most 5 minutes too,
// and ChannelTransport's at most its MaxRedeliveryDelay (5 minutes by
// default).
const MetaRetryAfter = "sf_retry_after"

type retryAfterError struct {
	err   error
	after time.Duration
}

func (e retryAfterError) Error() string { return e.err.Error() }

func (e retryAfterError) Unwrap() error { return e.err }

// RetryAfter wraps err with a hint that the failed message be delivered
// again after d rather than after the transport's own backoff: a handler or
// middleware that knows when its failure may clear (a refused KMS key
// within its grace, a rate limit's reset) says so. The original error stays
// reachable with errors.Is and errors.As. The hint only times the next
// delivery: how many deliveries a message gets is still the transport's,
// and a permanent error is dead-lettered without one. The in-process retries
// (the Retry middleware, idempotency's TxRetry) wait at least the hint before
// their next attempt, or return the error at once when the hint would end past
// their policy's MaxElapsed (Backoff.NextFor). The in-process transports
// (cqrs's PubSubTransport and ChannelTransport) hold the message while they
// wait, and where their Pub/Sub hands out one message at a time (gochannel,
// sqlbus) its destination's later messages wait behind it.
// RetryAfter(nil, d) is nil, and a d of zero or less returns err unchanged.
func RetryAfter(err error, d time.Duration) error {
	if err == nil || d <= 0 {
		return err
	}
	return retryAfterError{err: err, after: d}
}

// RetryAfterOf returns the delay of the first RetryAfter in err's chain, in
// errors.As order (of nested hints the outer one, of errors.Join's the
// first error's), and whether there is one. A hint inside a Permanent error
// is found too; cqrs records none for a permanent failure.
func RetryAfterOf(err error) (time.Duration, bool) {
	var r retryAfterError
	if errors.As(err, &r) {
		return r.after, true
	}
	return 0, false
}

// RetryAfterHint returns the delay recorded under MetaRetryAfter in md (a
// consumed message's metadata; Watermill's message.Metadata converts) and
// whether it is valid: time.Duration's text of a positive delay. A missing,
// unparsable, zero or negative value is no hint, and the transport uses
// its own backoff. The delay is returned as recorded: each transport caps
// it with its own bound.
func RetryAfterHint(md map[string]string) (time.Duration, bool) {
	d, err := time.ParseDuration(md[MetaRetryAfter])
	if err != nil || d <= 0 {
		return 0, false
	}
	return d, true
}
