package sourceflow

import "context"

type retriedRunKey struct{}

// WithRetriedRunObserver returns ctx carrying observe, which a retry loop
// running a handler again (middleware.Retry, and the idempotency
// middleware's TxRetry, which runs the whole handling again in a new
// transaction) calls, through ObserveRetriedRun, with the error of each
// failed run after which it waits to run the handler again, and the number
// of that run (1 for the first). The tracing middleware installs one on
// the context of the message it handles, so each retried run shows on the
// consumer span; the run whose error is returned is not observed (the
// caller records that one). observe must be safe for concurrent use and
// must not block.
func WithRetriedRunObserver(ctx context.Context, observe func(run int, err error)) context.Context {
	return context.WithValue(ctx, retriedRunKey{}, observe)
}

// ObserveRetriedRun calls the observer ctx carries (WithRetriedRunObserver)
// with the failed run and its error; it does nothing when ctx carries none.
func ObserveRetriedRun(ctx context.Context, run int, err error) {
	if observe, ok := ctx.Value(retriedRunKey{}).(func(int, error)); ok && observe != nil {
		observe(run, err)
	}
}
