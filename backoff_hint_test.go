package sourceflow_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/clocktest"
)

// NextFor waits at least a hinted delay that fits in what is left of
// MaxElapsed, and refuses one that does not; without a hint it is Next.
func TestBackoffNextForHonoursAHintWithinMaxElapsed(t *testing.T) {
	fail := errors.New("key refused")
	p := sourceflow.RetryPolicy{MaxRetries: 5, InitialInterval: 100 * time.Millisecond, Multiplier: 2,
		MaxInterval: time.Second, MaxElapsed: 10 * time.Second}
	clock := clocktest.NewManual(time.Unix(0, 0))
	b := p.Start(clock)
	ctx := context.Background()

	wait, stop := b.NextFor(ctx, fail)
	require.NoError(t, stop)
	assert.Equal(t, 100*time.Millisecond, wait, "no hint: the backoff's wait")

	wait, stop = b.NextFor(ctx, sourceflow.RetryAfter(fail, 3*time.Second))
	require.NoError(t, stop)
	assert.Equal(t, 3*time.Second, wait, "the hint, not 200ms")

	wait, stop = b.NextFor(ctx, sourceflow.RetryAfter(fail, time.Millisecond))
	require.NoError(t, stop)
	assert.Equal(t, 400*time.Millisecond, wait, "a shorter hint: the backoff's longer wait")

	clock.Advance(7 * time.Second)
	_, stop = b.NextFor(ctx, sourceflow.RetryAfter(fail, 3*time.Second+time.Nanosecond))
	require.ErrorIs(t, stop, sourceflow.ErrRetryDeadline, "3s left of MaxElapsed")
	wait, stop = b.NextFor(ctx, sourceflow.RetryAfter(fail, 3*time.Second))
	require.NoError(t, stop)
	assert.Equal(t, 3*time.Second, wait, "a hint that ends at MaxElapsed fits")
}

// No retries left comes before a hint that does not fit; a zero MaxElapsed
// honours any hint.
func TestBackoffNextForOrderAndNoMaxElapsed(t *testing.T) {
	hinted := sourceflow.RetryAfter(errors.New("throttled"), time.Hour)
	clock := clocktest.NewManual(time.Unix(0, 0))

	b := sourceflow.RetryPolicy{MaxRetries: -1, MaxElapsed: time.Second}.Start(clock)
	_, stop := b.NextFor(context.Background(), hinted)
	require.ErrorIs(t, stop, sourceflow.ErrNoRetriesLeft)

	b = sourceflow.RetryPolicy{MaxRetries: 1, InitialInterval: time.Millisecond, MaxInterval: time.Millisecond}.Start(clock)
	wait, stop := b.NextFor(context.Background(), hinted)
	require.NoError(t, stop)
	assert.Equal(t, time.Hour, wait)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b = sourceflow.RetryPolicy{MaxRetries: 1, MaxElapsed: 2 * time.Hour}.Start(clock)
	_, stop = b.NextFor(ctx, hinted)
	require.ErrorIs(t, stop, context.Canceled, "a done context stops a hinted retry too")
}

// The largest hint a Duration holds neither overflows NextFor's arithmetic
// nor slips past MaxElapsed, nor does a clock that jumped centuries on;
// without MaxElapsed it is waited as hinted.
func TestBackoffNextForHugeHintsAndClockJumps(t *testing.T) {
	huge := sourceflow.RetryAfter(errors.New("throttled"), time.Duration(math.MaxInt64))
	ctx := context.Background()
	clock := clocktest.NewManual(time.Unix(0, 0))
	bounded := sourceflow.RetryPolicy{MaxRetries: 3, InitialInterval: time.Millisecond, MaxElapsed: 10 * time.Second}

	_, stop := bounded.Start(clock).NextFor(ctx, huge)
	require.ErrorIs(t, stop, sourceflow.ErrRetryDeadline)

	b := bounded.Start(clock)
	clock.Set(time.Unix(0, 0).AddDate(500, 0, 0)) // Sub saturates at the largest Duration
	_, stop = b.NextFor(ctx, sourceflow.RetryAfter(errors.New("throttled"), time.Second))
	require.ErrorIs(t, stop, sourceflow.ErrRetryDeadline)

	wait, stop := sourceflow.RetryPolicy{MaxRetries: 3, InitialInterval: time.Millisecond}.Start(clock).NextFor(ctx, huge)
	require.NoError(t, stop)
	assert.Equal(t, time.Duration(math.MaxInt64), wait)
}
