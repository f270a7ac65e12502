package sourceflow

import (
	"context"
	"errors"
	"time"
)

// ErrRetryAfterPastDeadline is the reason Backoff.NextFor gives for allowing
// no retry when the failed attempt's error hinted a delay (RetryAfter) that
// would end more than the policy's MaxElapsed after the first attempt
// began: waiting it would spend the loop's budget, so the caller hands the
// error, hint and all, to whoever delivers it again instead.
var ErrRetryAfterPastDeadline = errors.New("hinted retry delay passes MaxElapsed")

// NextFor is Next for an attempt that failed with err. When err carries a
// RetryAfter hint (RetryAfterOf), the wait it returns is at least the hint,
// provided the hint ends within MaxElapsed of the first attempt's start;
// when it would not, NextFor returns ErrRetryAfterPastDeadline (after
// ErrNoRetriesLeft, which comes first). A policy whose MaxElapsed is zero
// honours every hint. Without a hint NextFor is Next.
func (b *Backoff) NextFor(ctx context.Context, err error) (time.Duration, error) {
	hint, hinted := RetryAfterOf(err)
	if !hinted {
		return b.Next(ctx)
	}
	if b.attempts > b.p.Retries() {
		return 0, ErrNoRetriesLeft
	}
	if b.p.MaxElapsed > 0 && hint > b.p.MaxElapsed-b.clock.Now().Sub(b.start) {
		return 0, ErrRetryAfterPastDeadline
	}
	wait, stop := b.Next(ctx)
	if stop != nil {
		return 0, stop
	}
	return max(wait, hint), nil
}
