package sourceflow_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/clocktest"
)

// retryUntilStop runs a loop whose every attempt fails and returns why it
// stopped and after how many attempts.
func retryUntilStop(ctx context.Context, p sourceflow.RetryPolicy, clock sourceflow.Clock) (attempts int, stop error) {
	b := p.Start(clock)
	for {
		wait, stop := b.Next(ctx)
		if stop == nil {
			stop = b.Wait(ctx, wait)
		}
		if stop != nil {
			return b.Attempts(), stop
		}
	}
}

func TestBackoffStopsAfterMaxRetriesWithGrowingWaits(t *testing.T) {
	clock := clocktest.NewStepping(time.Unix(0, 0))
	p := sourceflow.RetryPolicy{MaxRetries: 4, InitialInterval: 10 * time.Millisecond, Multiplier: 3, MaxInterval: 100 * time.Millisecond}
	attempts, stop := retryUntilStop(context.Background(), p, clock)
	require.ErrorIs(t, stop, sourceflow.ErrNoRetriesLeft)
	assert.Equal(t, 5, attempts, "the first attempt and 4 retries")
	assert.Equal(t, []time.Duration{10 * time.Millisecond, 30 * time.Millisecond, 90 * time.Millisecond, 100 * time.Millisecond}, clock.Waits())
}

func TestBackoffNeverStartsARetryPastMaxElapsed(t *testing.T) {
	clock := clocktest.NewStepping(time.Unix(0, 0))
	p := sourceflow.RetryPolicy{MaxRetries: 100, InitialInterval: time.Second, Multiplier: 1, MaxInterval: time.Second, MaxElapsed: 3500 * time.Millisecond}
	attempts, stop := retryUntilStop(context.Background(), p, clock)
	require.ErrorIs(t, stop, sourceflow.ErrRetryDeadline)
	assert.Equal(t, 4, attempts, "retries start at 1 s, 2 s and 3 s; one at 4 s would pass 3.5 s")
}

func TestBackoffWithoutMaxElapsedIsBoundByRetriesOnly(t *testing.T) {
	clock := clocktest.NewStepping(time.Unix(0, 0))
	p := sourceflow.RetryPolicy{MaxRetries: 3, InitialInterval: time.Hour, Multiplier: 1, MaxInterval: time.Hour}
	attempts, stop := retryUntilStop(context.Background(), p, clock)
	require.ErrorIs(t, stop, sourceflow.ErrNoRetriesLeft)
	assert.Equal(t, 4, attempts)
}

func TestBackoffNegativeMaxRetriesNeverRetries(t *testing.T) {
	attempts, stop := retryUntilStop(context.Background(), sourceflow.RetryPolicy{MaxRetries: -1}, clocktest.NewStepping(time.Unix(0, 0)))
	require.ErrorIs(t, stop, sourceflow.ErrNoRetriesLeft)
	assert.Equal(t, 1, attempts)
}

func TestBackoffEndsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b := sourceflow.RetryPolicy{MaxRetries: 3, InitialInterval: time.Millisecond}.Start(nil)
	_, stop := b.Next(ctx)
	require.ErrorIs(t, stop, context.Canceled, "a done context allows no retry")

	b = sourceflow.RetryPolicy{MaxRetries: 3, InitialInterval: time.Hour}.Start(nil)
	wait, stop := b.Next(context.Background())
	require.NoError(t, stop)
	require.ErrorIs(t, b.Wait(ctx, wait), context.Canceled, "a wait ends with the context")
	assert.Equal(t, 1, b.Attempts(), "an attempt that never ran is not counted")
}

func TestBackoffJitterDrawsWithinTheWait(t *testing.T) {
	p := sourceflow.RetryPolicy{MaxRetries: 50, InitialInterval: 8 * time.Millisecond, Multiplier: 1, MaxInterval: 8 * time.Millisecond, Jitter: true}
	clock := clocktest.NewStepping(time.Unix(0, 0))
	_, stop := retryUntilStop(context.Background(), p, clock)
	require.ErrorIs(t, stop, sourceflow.ErrNoRetriesLeft)
	require.Len(t, clock.Waits(), 50)
	distinct := map[time.Duration]bool{}
	for _, w := range clock.Waits() {
		assert.True(t, w >= 0 && w <= 8*time.Millisecond, "wait %s outside [0, 8ms]", w)
		distinct[w] = true
	}
	assert.Greater(t, len(distinct), 1, "jittered waits vary")
}

func TestBackoffMaxElapsedHoldsForTheLongestWait(t *testing.T) {
	clock := clocktest.NewStepping(time.Unix(0, 0))
	p := sourceflow.RetryPolicy{MaxRetries: 3, InitialInterval: time.Second, Multiplier: 1e30,
		MaxInterval: time.Duration(math.MaxInt64), MaxElapsed: time.Hour}
	attempts, stop := retryUntilStop(context.Background(), p, clock)
	require.ErrorIs(t, stop, sourceflow.ErrRetryDeadline, "elapsed time plus the longest wait passes MaxElapsed")
	assert.Equal(t, 2, attempts)
	assert.Equal(t, []time.Duration{time.Second}, clock.Waits())
}
