package middleware_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/clocktest"
	"github.com/sourceflow-go/sourceflow/middleware"
)

func TestRetryConfig_Validate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*middleware.RetryConfig)
		want   []string
	}{
		{"zero config takes defaults", func(*middleware.RetryConfig) {}, nil},
		{"negative InitialInterval", func(c *middleware.RetryConfig) { c.Policy.InitialInterval = -1 }, []string{"InitialInterval"}},
		{"Multiplier below 1", func(c *middleware.RetryConfig) { c.Policy.Multiplier = 0.5 }, []string{"Multiplier"}},
		{"negative MaxInterval", func(c *middleware.RetryConfig) { c.Policy.MaxInterval = -1 }, []string{"MaxInterval"}},
		{"MaxInterval below InitialInterval", func(c *middleware.RetryConfig) {
			c.Policy.InitialInterval, c.Policy.MaxInterval = time.Second, time.Millisecond
		}, []string{"MaxInterval: 1ms, must not be below InitialInterval"}},
		{"negative MaxElapsed", func(c *middleware.RetryConfig) { c.Policy.MaxElapsed = -1 }, []string{"MaxElapsed"}},
		{"MaxInterval alone, below the default InitialInterval", func(c *middleware.RetryConfig) {
			c.Policy.MaxInterval = 50 * time.Millisecond
		}, nil},
		{"every problem at once", func(c *middleware.RetryConfig) {
			c.Policy.InitialInterval, c.Policy.Multiplier, c.Policy.MaxElapsed = -1, 0.1, -1
		}, []string{"InitialInterval", "Multiplier", "MaxElapsed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := middleware.RetryConfig{}
			tt.modify(&cfg)

			err := cfg.Validate()
			_, newErr := middleware.NewRetry(cfg)

			if tt.want == nil {
				require.NoError(t, err)
				require.NoError(t, newErr)
				return
			}
			require.Error(t, err)
			require.Error(t, newErr, "NewRetry validates")
			for _, w := range tt.want {
				assert.ErrorContains(t, err, "middleware: RetryConfig.Policy: ")
				assert.ErrorContains(t, newErr, "middleware: RetryConfig.Policy: ")
				assert.ErrorContains(t, err, w)
			}
		})
	}
}

// script returns a handler that fails with errs[i] on attempt i+1 and succeeds
// once errs run out; it counts attempts and may advance the clock per attempt.
func script(clock *clocktest.Manual, took time.Duration, attempts *int, errs ...error) message.HandlerFunc {
	return func(*message.Message) ([]*message.Message, error) {
		*attempts++
		clock.Advance(took)
		if *attempts <= len(errs) {
			return []*message.Message{message.NewMessage("dropped", nil)}, errs[*attempts-1]
		}
		return []*message.Message{message.NewMessage("out", nil)}, nil
	}
}

type retryCase struct {
	name         string
	cfg          middleware.RetryConfig
	took         time.Duration
	errs         []error
	wantAttempts int
	wantWaits    []time.Duration
	wantErrIs    []error
	wantNotIs    error
	wantText     string
}

func retryCases() []retryCase {
	fail := errors.New("transient")
	perm := sourceflow.Permanent(errors.New("undecodable"))
	open := fmt.Errorf("publish: %w", fmt.Errorf("%w: destination %q", middleware.ErrCircuitOpen, "orders"))
	five := middleware.RetryConfig{Policy: sourceflow.RetryPolicy{MaxRetries: 5}}
	ms := time.Millisecond
	return []retryCase{
		{name: "success needs no retry", wantAttempts: 1},
		{name: "transient failures then success", errs: []error{fail, fail},
			wantAttempts: 3, wantWaits: []time.Duration{100 * ms, 200 * ms}},
		{name: "default budget is 3 retries", errs: []error{fail, fail, fail, fail, fail},
			wantAttempts: 4, wantWaits: []time.Duration{100 * ms, 200 * ms, 400 * ms},
			wantErrIs: []error{middleware.ErrRetriesExhausted, fail}, wantText: "after 4 attempts"},
		{name: "MaxInterval caps the wait",
			cfg:  middleware.RetryConfig{Policy: sourceflow.RetryPolicy{MaxRetries: 4, InitialInterval: 100 * ms, Multiplier: 10, MaxInterval: 300 * ms}},
			errs: []error{fail, fail, fail, fail, fail}, wantAttempts: 5,
			wantWaits: []time.Duration{100 * ms, 300 * ms, 300 * ms, 300 * ms},
			wantErrIs: []error{middleware.ErrRetriesExhausted, fail}},
		{name: "negative MaxRetries never retries", cfg: middleware.RetryConfig{Policy: sourceflow.RetryPolicy{MaxRetries: -1}},
			errs: []error{fail}, wantAttempts: 1, wantErrIs: []error{middleware.ErrRetriesExhausted, fail}},
		{name: "permanent error is never retried", errs: []error{perm},
			wantAttempts: 1, wantErrIs: []error{sourceflow.ErrPermanent}, wantNotIs: middleware.ErrRetriesExhausted},
		{name: "permanent error on a retry stops", errs: []error{fail, perm},
			wantAttempts: 2, wantWaits: []time.Duration{100 * ms},
			wantErrIs: []error{sourceflow.ErrPermanent}, wantNotIs: middleware.ErrRetriesExhausted},
		{name: "open circuit is never retried", cfg: five, errs: []error{open, open, open},
			wantAttempts: 1, wantErrIs: []error{middleware.ErrCircuitOpen}, wantNotIs: middleware.ErrRetriesExhausted},
		{name: "open circuit on a retry stops", cfg: five, errs: []error{fail, open, open},
			wantAttempts: 2, wantWaits: []time.Duration{100 * ms},
			wantErrIs: []error{middleware.ErrCircuitOpen}, wantNotIs: middleware.ErrRetriesExhausted},
		{name: "MaxElapsed bounds the loop, handler time included",
			cfg: middleware.RetryConfig{Policy: sourceflow.RetryPolicy{MaxRetries: 10, InitialInterval: time.Second, Multiplier: 1, MaxElapsed: 5 * time.Second}},
			// Attempts end at 0.5s, 2s, 3.5s and 5s; a fourth wait would end at 6s.
			took: 500 * ms, errs: []error{fail, fail, fail, fail, fail}, wantAttempts: 4,
			wantWaits: []time.Duration{time.Second, time.Second, time.Second},
			wantErrIs: []error{middleware.ErrRetriesExhausted, fail}, wantText: "MaxElapsed 5s reached"},
		{name: "MaxInterval alone lowers the default InitialInterval",
			cfg:  middleware.RetryConfig{Policy: sourceflow.RetryPolicy{MaxRetries: 2, MaxInterval: 50 * ms}},
			errs: []error{fail, fail, fail}, wantAttempts: 3, wantWaits: []time.Duration{50 * ms, 50 * ms},
			wantErrIs: []error{middleware.ErrRetriesExhausted, fail}},
		{name: "MaxElapsed holds when a wait reaches the longest Duration",
			cfg: middleware.RetryConfig{Policy: sourceflow.RetryPolicy{MaxRetries: 3, InitialInterval: time.Second,
				Multiplier: 1e30, MaxInterval: time.Duration(math.MaxInt64), MaxElapsed: time.Hour}},
			errs: []error{fail, fail, fail, fail}, wantAttempts: 2, wantWaits: []time.Duration{time.Second},
			wantErrIs: []error{middleware.ErrRetriesExhausted, fail}, wantText: "MaxElapsed 1h0m0s reached"},
	}
}

func TestRetry(t *testing.T) {
	tests := retryCases()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := clocktest.NewStepping(time.Unix(0, 0))
			tt.cfg.Clock = clock
			retry, err := middleware.NewRetry(tt.cfg)
			require.NoError(t, err)
			attempts := 0

			out, err := retry(script(clock, tt.took, &attempts, tt.errs...))(message.NewMessage("1", nil))

			assert.Equal(t, tt.wantAttempts, attempts)
			assert.Equal(t, tt.wantWaits, clock.Waits())
			if tt.wantErrIs == nil {
				require.NoError(t, err)
				require.Len(t, out, 1)
				assert.Equal(t, "out", out[0].UUID)
				return
			}
			assert.Empty(t, out, "output of a failed attempt is dropped")
			for _, want := range tt.wantErrIs {
				require.ErrorIs(t, err, want)
			}
			if tt.wantNotIs != nil {
				assert.NotErrorIs(t, err, tt.wantNotIs)
			}
			if tt.wantText != "" {
				assert.ErrorContains(t, err, tt.wantText)
			}
		})
	}
}

func TestRetry_StopsWhenContextIsDone(t *testing.T) {
	fail := errors.New("transient")
	t.Run("done before the first retry", func(t *testing.T) {
		clock := clocktest.NewStepping(time.Unix(0, 0))
		retry, err := middleware.NewRetry(middleware.RetryConfig{Clock: clock})
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		msg := message.NewMessage("1", nil)
		msg.SetContext(ctx)
		attempts := 0

		_, err = retry(script(clock, 0, &attempts, fail, fail))(msg)

		assert.Equal(t, 1, attempts)
		assert.Empty(t, clock.Waits())
		require.ErrorIs(t, err, middleware.ErrRetryStopped)
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorIs(t, err, fail)
	})
	t.Run("done while waiting", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		// The clock waits an hour on the real clock; the context ends as
		// soon as the wait begins.
		clock := clocktest.NewManual(time.Unix(0, 0))
		clock.OnAfter(func(time.Duration) { cancel() })
		retry, err := middleware.NewRetry(middleware.RetryConfig{Clock: clock,
			Policy: sourceflow.RetryPolicy{InitialInterval: time.Hour, MaxInterval: time.Hour, MaxElapsed: 2 * time.Hour}})
		require.NoError(t, err)
		msg := message.NewMessage("1", nil)
		msg.SetContext(ctx)
		attempts := 0

		_, err = retry(script(clock, 0, &attempts, fail, fail))(msg)

		assert.Equal(t, 1, attempts)
		assert.Equal(t, []time.Duration{time.Hour}, clock.Waits(), "the retry began its wait")
		require.ErrorIs(t, err, middleware.ErrRetryStopped)
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorIs(t, err, fail)
	})
}

func TestRetry_DoesNotRetryPanics(t *testing.T) {
	retry, err := middleware.NewRetry(middleware.RetryConfig{Clock: clocktest.NewStepping(time.Unix(0, 0))})
	require.NoError(t, err)
	attempts := 0
	h := middleware.Recover(retry(func(*message.Message) ([]*message.Message, error) {
		attempts++
		panic("bug")
	}))

	_, err = h(message.NewMessage("1", nil))

	require.ErrorIs(t, err, sourceflow.ErrPanic)
	assert.Equal(t, 1, attempts)
}

// cqrs's dispatcher turns a handler's panic into a returned *PanicError:
// that is not retried either.
func TestRetry_DoesNotRetryAPanicRecoveredBelowIt(t *testing.T) {
	retry, err := middleware.NewRetry(middleware.RetryConfig{Clock: clocktest.NewStepping(time.Unix(0, 0))})
	require.NoError(t, err)
	attempts := 0
	h := retry(func(*message.Message) ([]*message.Message, error) {
		attempts++
		return nil, &sourceflow.PanicError{Value: "nil map write"}
	})

	_, err = h(message.NewMessage("1", nil))

	require.ErrorIs(t, err, sourceflow.ErrPanic)
	assert.Equal(t, 1, attempts)
}

// Inside a handling transaction the handler is not run again: the error
// goes back to the transaction unchanged.
func TestRetry_LeavesAHandlingTransactionToTheRedelivery(t *testing.T) {
	retry, err := middleware.NewRetry(middleware.RetryConfig{Clock: clocktest.NewStepping(time.Unix(0, 0))})
	require.NoError(t, err)
	attempts := 0
	fail := errors.New("transient")
	h := retry(func(*message.Message) ([]*message.Message, error) {
		attempts++
		return nil, fail
	})
	msg := message.NewMessage("1", nil)
	msg.SetContext(sourceflow.ContextInHandlingTx(context.Background()))

	_, err = h(msg)

	require.Equal(t, fail, err)
	assert.Equal(t, 1, attempts)
}

// On a real router with the system clock and tiny intervals, a message that
// fails twice is handled on its third attempt and acked: not redelivered. The
// gochannel Publish returns only once each message was acked.
func TestRetry_OnRouter(t *testing.T) {
	logger := watermill.NopLogger{}
	ps := gochannel.NewGoChannel(gochannel.Config{BlockPublishUntilSubscriberAck: true}, logger)
	router, err := message.NewRouter(message.RouterConfig{}, logger)
	require.NoError(t, err)
	retry, err := middleware.NewRetry(middleware.RetryConfig{Policy: sourceflow.RetryPolicy{InitialInterval: time.Microsecond}})
	require.NoError(t, err)
	router.AddMiddleware(middleware.Recover, retry)
	var mu sync.Mutex
	attempts := map[string]int{}
	router.AddConsumerHandler("h", "in", ps, func(msg *message.Message) error {
		mu.Lock()
		defer mu.Unlock()
		attempts[msg.UUID]++
		if msg.UUID == "flaky" && attempts[msg.UUID] < 3 {
			return errors.New("transient")
		}
		return nil
	})
	runRouter(t, router)

	require.NoError(t, ps.Publish("in", message.NewMessage("flaky", nil), message.NewMessage("after", nil)))

	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, 3, attempts["flaky"], "handled on the third attempt, then acked")
	assert.Equal(t, 1, attempts["after"])
}
