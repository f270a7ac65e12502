package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/sourceflow-go/sourceflow"
)

// AttemptTimeout bounds each attempt of a request Retry.Do makes. A
// handling's context has no deadline (the transport keeps its message in
// flight while it runs) and the SDK's default HTTP client has no timeout,
// so without it a request the network drops without a reset would wait for
// ever, holding its message, its entity and the outbox's sweep. A DynamoDB
// request is answered in milliseconds; one that has no answer in this long
// has none coming.
//
// A request made with the BoundAttempts option, as the stores make each,
// has each of the SDK's own attempts bounded so, not the SDK's backoff
// between them: a request throttled through every SDK attempt fails
// throttled however many attempts, and however long a backoff, the
// client's retryer is given. A request without it (an API that is not a
// *dynamodb.Client, or that drops the option) is bounded as a whole, the
// SDK's retries and their backoff included.
const AttemptTimeout = 10 * time.Second

// ErrUnanswered is the error of a request DynamoDB did not answer within
// AttemptTimeout. It is not retried: the request may have been applied, so
// a write cut so is uncertain, not failed; a transaction reads back what it
// wrote (see Tx.OnUncertain) before it counts as not committed.
var ErrUnanswered = fmt.Errorf("no answer from DynamoDB within %s (the request may have been applied)", AttemptTimeout)

// attempt runs fn, a request on table, with a context that ends
// AttemptTimeout from now, or sooner with ctx, unless the SDK bounds each
// of the request's attempts (BoundAttempts) instead. When a bound, not
// ctx, ended the request, the error is ErrUnanswered, naming table,
// wrapping what fn returned. That error, and one of a request that could
// not be sent (smithyhttp.RequestSendError: the connection was refused),
// are marked sourceflow.StoreUnavailable: DynamoDB is not there to answer.
func attempt(ctx context.Context, table string, fn func(ctx context.Context) error) error {
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	b := &bound{}
	timer := time.AfterFunc(AttemptTimeout, func() {
		if !b.perAttempt.Load() {
			cancel(errCut)
		}
	})
	defer timer.Stop()
	err := fn(context.WithValue(actx, boundKey{}, b))
	if err == nil || ctx.Err() != nil {
		return err
	}
	if errors.Is(context.Cause(actx), errCut) {
		return sourceflow.StoreUnavailable(tableNamed{fmt.Errorf("dynamodb: %s: %w: %w", tables(table), errCut, err)})
	}
	if errors.As(err, new(cutAttempt)) {
		return sourceflow.StoreUnavailable(tableNamed{fmt.Errorf("dynamodb: %s: %w: %w", tables(table), ErrUnanswered, err)})
	}
	if _, unsent := errors.AsType[*smithyhttp.RequestSendError](err); unsent {
		return sourceflow.StoreUnavailable(err) // no connection to DynamoDB: refused, or not resolved
	}
	return err
}

// errCut is the cause attempt's bound of a whole request ends it with:
// ErrUnanswered, and context.DeadlineExceeded, the deadline it is.
var errCut error = cutCause{}

type cutCause struct{}

func (cutCause) Error() string { return ErrUnanswered.Error() }

func (cutCause) Unwrap() []error { return []error{ErrUnanswered, context.DeadlineExceeded} }
