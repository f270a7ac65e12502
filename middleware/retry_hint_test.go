package middleware_test

import (
	"errors"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/clocktest"
	"github.com/sourceflow-go/sourceflow/middleware"
)

// A hinted error (sourceflow.RetryAfter) waits at least its hint before
// the next attempt while the hint ends within MaxElapsed (the default
// 10 s); a hint that would end past it returns the error at once, hint
// kept, instead of spending the budget; neither counts as giving up.
func TestRetry_HonoursARetryAfterHint(t *testing.T) {
	refused := errors.New("kms: key disabled")
	hint := func(d time.Duration) error { return sourceflow.RetryAfter(refused, d) }
	ms := time.Millisecond
	tests := []struct {
		name         string
		errs         []error
		wantAttempts int
		wantWaits    []time.Duration
		wantErr      error // returned unchanged; nil for success
	}{
		{name: "a hint that fits is waited", errs: []error{hint(2 * time.Second)},
			wantAttempts: 2, wantWaits: []time.Duration{2 * time.Second}},
		{name: "a shorter hint than the backoff waits the backoff", errs: []error{hint(ms), hint(ms)},
			wantAttempts: 3, wantWaits: []time.Duration{100 * ms, 200 * ms}},
		{name: "a hint past MaxElapsed returns at once", errs: []error{hint(time.Minute)},
			wantAttempts: 1, wantErr: hint(time.Minute)},
		{name: "hints wait until the next would pass MaxElapsed",
			errs:         []error{hint(4 * time.Second), hint(4 * time.Second), hint(4 * time.Second)},
			wantAttempts: 3, wantWaits: []time.Duration{4 * time.Second, 4 * time.Second}, wantErr: hint(4 * time.Second)},
		{name: "a hint after plain failures", errs: []error{refused, hint(9950 * ms)},
			wantAttempts: 2, wantWaits: []time.Duration{100 * ms}, wantErr: hint(9950 * ms)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := clocktest.NewStepping(time.Unix(0, 0))
			r, err := middleware.NewRetrier(middleware.RetryConfig{Clock: clock})
			require.NoError(t, err)
			attempts := 0

			_, err = r.Middleware(script(clock, 0, &attempts, tt.errs...))(message.NewMessage("1", nil))

			assert.Equal(t, tt.wantAttempts, attempts)
			assert.Equal(t, tt.wantWaits, clock.Waits())
			assert.Equal(t, tt.wantErr, err)
			assert.Zero(t, r.Stats().GaveUp)
			assert.Equal(t, int64(len(tt.wantWaits)), r.Stats().Retries)
		})
	}
}

// A hinted error that runs out of retries is given up on as any other,
// with its hint still reachable for the transport.
func TestRetry_HintedErrorExhaustsTheRetries(t *testing.T) {
	clock := clocktest.NewStepping(time.Unix(0, 0))
	r, err := middleware.NewRetrier(middleware.RetryConfig{Clock: clock, Policy: sourceflow.RetryPolicy{MaxRetries: 1}})
	require.NoError(t, err)
	hinted := sourceflow.RetryAfter(errors.New("throttled"), time.Second)
	attempts := 0

	_, err = r.Middleware(script(clock, 0, &attempts, hinted, hinted))(message.NewMessage("1", nil))

	require.ErrorIs(t, err, middleware.ErrRetriesExhausted)
	d, ok := sourceflow.RetryAfterOf(err)
	assert.True(t, ok)
	assert.Equal(t, time.Second, d)
	assert.Equal(t, 2, attempts)
	assert.Equal(t, []time.Duration{time.Second}, clock.Waits())
	assert.Equal(t, int64(1), r.Stats().GaveUp)
}
