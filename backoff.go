package sourceflow

import (
	"context"
	"errors"
	"time"
)

// Reasons Backoff.Next gives for allowing no further retry (besides the
// context's error).
var (
	// ErrNoRetriesLeft reports that the policy's MaxRetries are used up.
	ErrNoRetriesLeft = errors.New("no retries left")
	// ErrRetryDeadline reports that the next retry would start more than
	// MaxElapsed after the first attempt began.
	ErrRetryDeadline = errors.New("MaxElapsed reached")
)

// Backoff is one retry loop under a RetryPolicy: it counts the attempts,
// measures the time since the first one began and computes each wait. Get
// one per operation from RetryPolicy.Start and call Next after every failed
// attempt:
//
//	b := policy.Start(clock)
//	for {
//		err := op(ctx)
//		if err == nil || !retryable(err) {
//			return err
//		}
//		wait, stop := b.Next(ctx)
//		if stop == nil {
//			stop = b.Wait(ctx, wait)
//		}
//		if stop != nil {
//			return fmt.Errorf("after %d attempts (%w): %w", b.Attempts(), stop, err)
//		}
//	}
//
// NextFor(ctx, err) in place of Next also honours a delay err hints
// (RetryAfter). A Backoff is not safe for concurrent use.
type Backoff struct {
	p        RetryPolicy
	clock    Clock
	start    time.Time
	wait     time.Duration
	attempts int
}

// Start begins a retry loop at the first attempt. A nil clock is the system
// clock. A policy whose MaxElapsed is zero bounds the loop by MaxRetries
// only.
func (p RetryPolicy) Start(clock Clock) *Backoff {
	if clock == nil {
		clock = SystemClock()
	}
	return &Backoff{p: p, clock: clock, start: clock.Now(), wait: p.InitialInterval, attempts: 1}
}

// Attempts returns how many attempts have run, counting the one that just
// failed.
func (b *Backoff) Attempts() int { return b.attempts }

// Next is called after a failed attempt. It returns how long to wait before
// the next one (jittered when the policy says so), or why no retry may
// follow: ErrNoRetriesLeft, ErrRetryDeadline or the error of a done ctx.
// It does not wait.
func (b *Backoff) Next(ctx context.Context) (time.Duration, error) {
	if b.attempts > b.p.Retries() {
		return 0, ErrNoRetriesLeft
	}
	// Compared as a difference: elapsed+wait can pass what a Duration
	// holds when MaxInterval is very long.
	if b.p.MaxElapsed > 0 && b.wait > b.p.MaxElapsed-b.clock.Now().Sub(b.start) {
		return 0, ErrRetryDeadline
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	sleep := b.p.Sleep(b.wait)
	b.wait = b.p.Next(b.wait)
	return sleep, nil
}

// Wait waits d, then counts the attempt about to run; it returns ctx's
// error, counting nothing, when ctx is done first.
func (b *Backoff) Wait(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-b.clock.After(d):
		b.attempts++
		return nil
	}
}
