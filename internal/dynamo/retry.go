package dynamo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
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

// Do runs fn, a request on table (the tables of a transaction, comma
// separated), until it succeeds, fails with an error that is not
// transient, ctx ends, or Attempts tries have failed. Each try gets at most
// AttemptTimeout: one cut so fails with ErrUnanswered, not retried. The
// error of a request that still failed so, or was cut, names table, and
// for throttling what to do about it.
func (r *Retry) Do(ctx context.Context, table string, fn func(ctx context.Context) error) error {
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
		err := attempt(ctx, table, fn)
		kind := transient(err)
		if kind == notTransient {
			return err
		}
		r.count(kind)
		if try >= attempts {
			r.exhausted.Add(1)
			return exhausted(table, kind, try, err)
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

// exhausted is the error of a request on table that still failed with a
// transient error of kind after tries attempts.
func exhausted(table string, kind transience, tries int, err error) error {
	if kind == throttled {
		return tableNamed{fmt.Errorf("dynamodb: %s still throttled after %d attempts "+
			"(raise the provisioned capacity, or switch to on-demand capacity): %w", tables(table), tries, err)}
	}
	return tableNamed{fmt.Errorf("dynamodb: %s: still %s after %d attempts: %w", tables(table), kind, tries, err)}
}

// tables names table, or the comma-separated tables of a transaction, in
// an error.
func tables(table string) string {
	if strings.Contains(table, ", ") {
		return "tables " + table
	}
	return "table " + table
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
