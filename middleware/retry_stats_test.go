package middleware_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/clocktest"
	"github.com/sourceflow-go/sourceflow/middleware"
)

// Every run after the first counts as a retry, and a delivery whose error
// the Retrier returns once it stopped retrying counts as given up; an error
// it never retries (permanent, open circuit) is neither.
func TestRetrierStats(t *testing.T) {
	for _, tt := range retryCases() {
		t.Run(tt.name, func(t *testing.T) {
			clock := clocktest.NewStepping(time.Unix(0, 0))
			tt.cfg.Clock = clock
			r, err := middleware.NewRetrier(tt.cfg)
			require.NoError(t, err)
			attempts := 0

			_, err = r.Middleware(script(clock, tt.took, &attempts, tt.errs...))(message.NewMessage("1", nil))

			want := middleware.RetryStats{Retries: int64(attempts - 1)}
			if errors.Is(err, middleware.ErrRetriesExhausted) {
				want.GaveUp = 1
			}
			assert.Equal(t, want, r.Stats())
		})
	}
}

// A delivery whose context ends before its retry counts as given up, and
// the counters add up over deliveries.
func TestRetrierStatsAddUpAndCountAStoppedDelivery(t *testing.T) {
	fail := errors.New("transient")
	clock := clocktest.NewStepping(time.Unix(0, 0))
	r, err := middleware.NewRetrier(middleware.RetryConfig{Clock: clock})
	require.NoError(t, err)
	attempts := 0
	_, err = r.Middleware(script(clock, 0, &attempts, fail, fail))(message.NewMessage("1", nil))
	require.NoError(t, err)
	assert.Equal(t, middleware.RetryStats{Retries: 2}, r.Stats())

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	msg := message.NewMessage("2", nil)
	msg.SetContext(ctx)
	attempts = 0
	_, err = r.Middleware(script(clock, 0, &attempts, fail))(msg)
	require.ErrorIs(t, err, middleware.ErrRetryStopped)
	assert.Equal(t, middleware.RetryStats{Retries: 2, GaveUp: 1}, r.Stats())
}
