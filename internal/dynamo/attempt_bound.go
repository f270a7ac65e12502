package dynamo

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

// BoundAttempts is the option the stores give each request they make
// through Retry.Do: it bounds each of the SDK's attempts of the request by
// AttemptTimeout, rather than the whole call, so that the SDK's backoff
// between throttled attempts, however long its retryer makes it, is never
// cut and the request fails with the throttling DynamoDB answered. An
// attempt it cuts fails with ErrUnanswered, which neither the SDK nor
// Retry.Do sends again.
func BoundAttempts(o *dynamodb.Options) {
	o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
		return stack.Finalize.Insert(attemptBound{}, "Retry", middleware.After)
	})
}

// bound is what attempt gives a request's context: set once the SDK bounds
// the request's attempts itself (attemptBound), which ends attempt's bound
// of the whole call.
type bound struct{ perAttempt atomic.Bool }

type boundKey struct{}

// attemptBound is the middleware of BoundAttempts, run by each SDK attempt.
type attemptBound struct{}

func (attemptBound) ID() string { return "SourceFlowAttemptBound" }

// HandleFinalize runs the attempt with a context that ends AttemptTimeout
// from now. An attempt that bound cut fails with a smithy.CanceledError,
// which the SDK's retryer does not retry, wrapping ErrUnanswered. A request
// not made through Retry.Do is left as it is.
func (attemptBound) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (
	middleware.FinalizeOutput, middleware.Metadata, error,
) {
	b, ok := ctx.Value(boundKey{}).(*bound)
	if !ok {
		return next.HandleFinalize(ctx, in)
	}
	b.perAttempt.Store(true)
	actx, cancel := context.WithTimeoutCause(ctx, AttemptTimeout, ErrUnanswered)
	defer cancel()
	out, md, err := next.HandleFinalize(actx, in)
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(actx), ErrUnanswered) {
		err = &smithy.CanceledError{Err: cutAttempt{err}}
	}
	return out, md, err
}

// cutAttempt is the error of an SDK attempt attemptBound cut.
type cutAttempt struct{ err error }

func (e cutAttempt) Error() string { return e.err.Error() }

func (e cutAttempt) Unwrap() error { return e.err }
