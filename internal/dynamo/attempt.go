package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// AttemptTimeout bounds each attempt of a request Retry.Do makes, the SDK's
// own retries of it included. A handling's context has no deadline (the
// transport keeps its message in flight while it runs) and the SDK's
// default HTTP client has no timeout, so without it a request the network
// drops without a reset would wait for ever, holding its message, its
// entity and the outbox's sweep. A DynamoDB request is answered in
// milliseconds; one that has no answer in this long has none coming.
//
// The bound covers the SDK's own retries of the attempt and their backoff:
// with the SDK's default retryer (3 attempts, waiting at most 2 s, then
// 4 s, within a retry quota) a throttled request is answered well within
// it, and Do reports it throttled. A client given more SDK attempts or a
// longer MaxBackoff can have a backoff cut by the bound: the request then
// fails with ErrUnanswered although DynamoDB answered it. Leave the SDK's
// retries at their default or fewer: Do retries throttling itself.
const AttemptTimeout = 10 * time.Second

// ErrUnanswered is the error of a request DynamoDB did not answer within
// AttemptTimeout. It is not retried: the request may have been applied, so
// a write cut so is uncertain, not failed; a transaction reads back what it
// wrote (see Tx.OnUncertain) before it counts as not committed.
var ErrUnanswered = fmt.Errorf("no answer from DynamoDB within %s (the request may have been applied)", AttemptTimeout)

// attempt runs fn, a request on table, with a context that ends
// AttemptTimeout from now, or sooner with ctx. When that bound, not ctx,
// ended the attempt, the error is ErrUnanswered, naming table, wrapping
// what fn returned.
func attempt(ctx context.Context, table string, fn func(ctx context.Context) error) error {
	actx, cancel := context.WithTimeoutCause(ctx, AttemptTimeout, ErrUnanswered)
	defer cancel()
	err := fn(actx)
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(actx), ErrUnanswered) {
		return tableNamed{fmt.Errorf("dynamodb: %s: %w: %w", tables(table), ErrUnanswered, err)}
	}
	return err
}
