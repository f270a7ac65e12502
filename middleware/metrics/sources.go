package metrics

import (
	"context"

	"github.com/sourceflow-go/sourceflow"
)

// KMSStatsSource reports cumulative KMS counters of the encryption phase.
// Every value only grows. The encryption package's Encrypter and Decrypter
// are adapted to it with KMSStatsFunc.
type KMSStatsSource interface {
	// KMSStats returns the GenerateDataKey and Decrypt requests sent to KMS
	// and the data-key cache hits and misses, since the source was created.
	KMSStats() (generateDataKey, decrypt, cacheHits, cacheMisses int64)
}

// KMSStatsFunc adapts a function to KMSStatsSource.
type KMSStatsFunc func() (generateDataKey, decrypt, cacheHits, cacheMisses int64)

// KMSStats calls f.
func (f KMSStatsFunc) KMSStats() (generateDataKey, decrypt, cacheHits, cacheMisses int64) {
	return f()
}

// KMSFailureSource reports cumulative counts of the encryption phase's KMS
// calls that failed in the end (after their retries), by operation: a
// refused, disabled or unknown key shows here. Every value only grows.
// The encryption package's Encrypter and Decrypter (Stats
// GenerateDataKeyFailures and DecryptFailures) are adapted to it with
// KMSFailuresFunc.
type KMSFailureSource interface {
	// KMSFailures returns the GenerateDataKey and Decrypt calls that
	// failed since the source was created.
	KMSFailures() (generateDataKey, decrypt int64)
}

// KMSFailuresFunc adapts a function to KMSFailureSource.
type KMSFailuresFunc func() (generateDataKey, decrypt int64)

// KMSFailures calls f.
func (f KMSFailuresFunc) KMSFailures() (generateDataKey, decrypt int64) { return f() }

// DuplicateSource reports how many messages the idempotency phase has
// acknowledged as duplicates since it was created.
type DuplicateSource interface {
	// Duplicates returns the cumulative duplicate count.
	Duplicates() int64
}

// DuplicatesFunc adapts a function to DuplicateSource.
type DuplicatesFunc func() int64

// Duplicates calls f.
func (f DuplicatesFunc) Duplicates() int64 { return f() }

// QueueDepth is sourceflow.QueueDepth, the one type in which every depth
// source reports a queue's size.
type QueueDepth = sourceflow.QueueDepth

// DepthSource reports the depth of every queue a service owns, its DLQs
// included. The AWS transport implements it with GetQueueAttributes. It is
// polled every DepthInterval, never on the metric reader's schedule, so a
// slow source does not slow down a scrape.
type DepthSource interface {
	// Depths returns the current depth of each queue. ctx bounds the call.
	Depths(ctx context.Context) ([]QueueDepth, error)
}

// DepthFunc adapts a function to DepthSource.
type DepthFunc func(ctx context.Context) ([]QueueDepth, error)

// Depths calls f.
func (f DepthFunc) Depths(ctx context.Context) ([]QueueDepth, error) { return f(ctx) }

// StoreRetrySource reports a store's cumulative counts of requests its
// database throttled and of transactions refused for a conflict, retried or
// not. Every value only grows. The DynamoDB stores are adapted to it with
// StoreRetriesFunc.
type StoreRetrySource interface {
	// StoreRetries returns the throttled and conflicting requests so far.
	StoreRetries() (throttled, conflicts int64)
}

// StoreRetriesFunc adapts a function to StoreRetrySource.
type StoreRetriesFunc func() (throttled, conflicts int64)

// StoreRetries calls f.
func (f StoreRetriesFunc) StoreRetries() (throttled, conflicts int64) { return f() }
