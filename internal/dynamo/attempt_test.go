package dynamo

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An attempt that has no answer after AttemptTimeout fails with
// ErrUnanswered, once: it may have been applied, so it is not retried.
func TestRetryCutsAnUnansweredAttemptAndDoesNotRetryIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, calls, start := &Retry{}, 0, time.Now()
		err := r.Do(context.Background(), "t", func(ctx context.Context) error {
			calls++
			<-ctx.Done()
			return ctx.Err()
		})
		require.ErrorIs(t, err, ErrUnanswered)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Equal(t, 1, calls)
		assert.Equal(t, AttemptTimeout, time.Since(start))
		assert.Zero(t, r.Stats())
	})
}

// A request the caller's context ended is not reported as unanswered.
func TestRetryReportsTheCallersEndNotAnUnansweredAttempt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		err := (&Retry{}).Do(ctx, "t", func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		})
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.False(t, errors.Is(err, ErrUnanswered), "%v", err)
	})
}
