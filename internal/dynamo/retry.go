package dynamo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// Retry retries requests that DynamoDB throttled (ProvisionedThroughputExceeded,
// ThrottlingException, RequestLimitExceeded) or refused for a conflicting
// transaction (TransactionConflict, TransactionInProgress), with exponential
// backoff and full jitter, and counts them. A failed condition is never
// retried: it is an answer, not a fault. The zero value is ready to use.
type Retry struct {
	// Attempts bounds the tries of one request. Default 8.
	Attempts int
	// Base is the first backoff; each retry doubles it up to Max. Defaults
	// 20 ms and 1 s.
	Base, Max time.Duration

	throttled, conflicts, exhausted atomic.Int64
}

// RetryStats counts what a Retry saw since it was made.
type RetryStats struct {
	// Throttled counts throttled responses, Conflicts transaction conflicts;
	// both include the ones that were retried successfully.
	Throttled, Conflicts int64
	// Exhausted counts requests that still failed so after Attempts tries.
	Exhausted int64
}

// Stats returns the counters.
func (r *Retry) Stats() RetryStats {
	return RetryStats{Throttled: r.throttled.Load(), Conflicts: r.conflicts.Load(), Exhausted: r.exhausted.Load()}
}

// Do runs fn until it succeeds, fails with an error that is not transient,
// ctx ends, or Attempts tries have failed. Each try gets at most
// AttemptTimeout: one cut so fails with ErrUnanswered, not retried.
func (r *Retry) Do(ctx context.Context, fn func(ctx context.Context) error) error {
	attempts, backoff, ceiling := r.Attempts, r.Base, r.Max
	if attempts <= 0 {
		attempts = 8
	}
	if backoff <= 0 {
		backoff = 20 * time.Millisecond
	}
	if ceiling <= 0 {
		ceiling = time.Second
	}
	for try := 1; ; try++ {
		err := attempt(ctx, fn)
		kind := transient(err)
		if kind == notTransient {
			return err
		}
		r.count(kind)
		if try >= attempts {
			r.exhausted.Add(1)
			return fmt.Errorf("still %s after %d attempts: %w", kind, try, err)
		}
		// #nosec G404 -- jitter that spreads retries out; no secret depends on it.
		if ended := Sleep(ctx, rand.N(backoff)+time.Millisecond); ended != nil {
			return errors.Join(err, ended)
		}
		backoff = min(2*backoff, ceiling)
	}
}

// Sleep waits d and returns nil, or returns ctx.Err() as soon as ctx ends.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (r *Retry) count(kind transience) {
	if kind == throttled {
		r.throttled.Add(1)
	} else {
		r.conflicts.Add(1)
	}
}

type transience int

const (
	notTransient transience = iota
	throttled
	conflicted
)

func (k transience) String() string {
	if k == throttled {
		return "throttled"
	}
	return "conflicting"
}

// transient classifies err: throttling, a transaction conflict, or neither.
// A cancelled transaction is transient only when none of its items failed a
// condition.
func transient(err error) transience {
	if err == nil {
		return notTransient
	}
	var tc *types.TransactionCanceledException
	if errors.As(err, &tc) {
		kind := notTransient
		for _, r := range tc.CancellationReasons {
			switch code(r.Code) {
			case "ConditionalCheckFailed", "ValidationError", "ItemCollectionSizeLimitExceeded":
				return notTransient
			case "ThrottlingError", "ProvisionedThroughputExceeded":
				kind = throttled
			case "TransactionConflict":
				kind = max(kind, conflicted)
			}
		}
		return kind
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return notTransient
	}
	switch ae.ErrorCode() {
	case "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded":
		return throttled
	case "TransactionConflictException", "TransactionInProgressException":
		return conflicted
	}
	return notTransient
}

func code(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
