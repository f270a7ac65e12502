package sourceflow

import (
	"context"
	"time"
)

// NextFor is Next for an attempt that failed with err. When err carries a
// RetryAfter hint (RetryAfterOf), the wait it returns is at least the hint,
// provided the hint ends within MaxElapsed of the first attempt's start;
// when it would not, NextFor returns ErrRetryDeadline (after
// ErrNoRetriesLeft, which comes first), and the caller hands the error,
// hint and all, to whoever delivers it again. A policy whose MaxElapsed is
// zero honours every hint. Without a hint NextFor is Next.
func (b *Backoff) NextFor(ctx context.Context, err error) (time.Duration, error) {
	hint, hinted := RetryAfterOf(err)
	if !hinted {
		return b.Next(ctx)
	}
	if b.attempts > b.p.Retries() {
		return 0, ErrNoRetriesLeft
	}
	// Compared as a difference, as in Next: elapsed+hint can pass what a
	// Duration holds.
	if b.p.MaxElapsed > 0 && hint > b.p.MaxElapsed-b.clock.Now().Sub(b.start) {
		return 0, ErrRetryDeadline
	}
	wait, stop := b.Next(ctx)
	if stop != nil {
		return 0, stop
	}
	return max(wait, hint), nil
}
