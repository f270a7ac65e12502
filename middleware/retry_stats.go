package middleware

import "sync/atomic"

// RetryStats are a Retrier's counters since it was created. Every value
// only grows.
type RetryStats struct {
	// Retries counts the handler runs after a failed run of the same
	// delivery: each time the Retrier waited and ran the handler again.
	Retries int64
	// GaveUp counts the deliveries whose error the Retrier returned after
	// it stopped retrying, matching ErrRetriesExhausted (no retry left, or
	// MaxElapsed reached) or ErrRetryStopped (the message's context ended
	// first). The errors it does not retry (permanent ones, panics, an open
	// circuit, inside a handling transaction, a hinted error whose wait
	// would pass MaxElapsed) are not counted.
	GaveUp int64
}

// retryCounters is the live, concurrency-safe form of RetryStats.
type retryCounters struct {
	retries, gaveUp atomic.Int64
}

func (c *retryCounters) snapshot() RetryStats {
	return RetryStats{Retries: c.retries.Load(), GaveUp: c.gaveUp.Load()}
}
