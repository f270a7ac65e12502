package metrics

import (
	"context"

	"github.com/sourceflow-go/sourceflow"
)

// KMSCounts are cumulative KMS counters of the encryption phase since its
// source was created. Every value only grows.
type KMSCounts struct {
	// GenerateDataKey and Decrypt count the requests sent to KMS.
	GenerateDataKey, Decrypt int64
	// DescribeKey counts the DescribeKey requests sent to KMS (the
	// Encrypter's health checks, the Decrypter's resolutions of its
	// KeyIDs), the calls DescribeKeyFailures is a share of.
	DescribeKey int64
	// CacheHits and CacheMisses count the data-key cache's lookups.
	CacheHits, CacheMisses int64
	// GenerateDataKeyFailures and DecryptFailures count the calls that
	// failed in the end (after their retries): a refused, disabled or
	// unknown key shows here.
	GenerateDataKeyFailures, DecryptFailures int64
	// DescribeKeyFailures counts the DescribeKey calls that failed in the
	// end (the Encrypter's health checks, the Decrypter's resolutions of
	// its KeyIDs).
	DescribeKeyFailures int64
}

// KMSStatsSource reports the KMS counters of the encryption phase. The
// encryption package's Encrypter and Decrypter are adapted to it with
// KMSStatsFunc.
type KMSStatsSource interface {
	// KMSStats returns the counters since the source was created.
	KMSStats() KMSCounts
}

// KMSStatsFunc adapts a function to KMSStatsSource.
type KMSStatsFunc func() KMSCounts

// KMSStats calls f.
func (f KMSStatsFunc) KMSStats() KMSCounts { return f() }

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
// slow source does not slow down a scrape. A panic of Depths is a failed
// poll, logged with its stack, not the end of the process.
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
