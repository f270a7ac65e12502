package middleware_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
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

// A hinted error that Retry returns unretried because its hint, or the
// backoff's longer wait, would pass MaxElapsed is returned unchanged, not
// counted as given up, and logged at Info level, so an operator sees why
// the message went back to the transport at once.
func TestRetry_LogsAHintLeftToTheTransport(t *testing.T) {
	hinted := sourceflow.RetryAfter(errors.New("rate limited"), time.Millisecond)
	tests := []struct {
		name string
		took time.Duration // each attempt's run
		err  error
		want string // the logged retry_after
	}{
		{name: "the hint passes MaxElapsed", err: sourceflow.RetryAfter(errors.New("rate limited"), time.Minute), want: "1m0s"},
		{name: "the backoff's longer wait passes it", took: 9950 * time.Millisecond, err: hinted, want: "1ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logger := watermill.NewCaptureLogger()
			clock := clocktest.NewStepping(time.Unix(0, 0))
			r, err := middleware.NewRetrier(middleware.RetryConfig{Clock: clock, Logger: logger})
			require.NoError(t, err)
			msg := message.NewMessage("m-1", nil)
			msg.Metadata.Set(sourceflow.MetaCorrelationID, "flow-1")
			attempts := 0

			_, err = r.Middleware(script(clock, tt.took, &attempts, tt.err))(msg)

			assert.Equal(t, tt.err, err, "unchanged, hint kept")
			assert.Equal(t, 1, attempts)
			assert.Zero(t, r.Stats().GaveUp)
			logged := logger.Captured()[watermill.InfoLogLevel]
			require.Len(t, logged, 1)
			assert.Contains(t, logged[0].Msg, "hinted delay passes MaxElapsed")
			assert.Equal(t, tt.want, logged[0].Fields["retry_after"])
			assert.Equal(t, "10s", logged[0].Fields["max_elapsed"])
			assert.Equal(t, "m-1", logged[0].Fields["message_id"])
			assert.Equal(t, "flow-1", logged[0].Fields["correlation_id"])
			assert.Equal(t, 1, logged[0].Fields["attempt"])
		})
	}
}

// A message context that ends during a long hinted wait ends the wait at
// once (a closing subscription does not wait the hint out): Retry stops
// (ErrRetryStopped) with the hint still reachable for the transport.
func TestRetry_ContextEndsAHintedWait(t *testing.T) {
	clock := clocktest.NewManual(time.Unix(0, 0)) // After waits on the real clock
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock.OnAfter(func(time.Duration) { cancel() })
	r, err := middleware.NewRetrier(middleware.RetryConfig{Clock: clock})
	require.NoError(t, err)
	msg := message.NewMessage("1", nil)
	msg.SetContext(ctx)
	attempts := 0
	hinted := sourceflow.RetryAfter(errors.New("rate limited"), 9*time.Second)

	_, err = r.Middleware(script(clock, 0, &attempts, hinted))(msg)

	require.ErrorIs(t, err, middleware.ErrRetryStopped)
	require.ErrorIs(t, err, context.Canceled)
	d, ok := sourceflow.RetryAfterOf(err)
	assert.True(t, ok)
	assert.Equal(t, 9*time.Second, d)
	assert.Equal(t, 1, attempts)
	assert.Equal(t, []time.Duration{9 * time.Second}, clock.Waits())
	assert.Equal(t, int64(1), r.Stats().GaveUp)
}
