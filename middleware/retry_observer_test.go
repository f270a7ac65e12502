package middleware_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/clocktest"
	"github.com/sourceflow-go/sourceflow/middleware"
)

// Retry tells the observer the message's context carries about each failed
// run it runs again, with the run's number; the run whose error it returns
// is left to its caller.
func TestRetryObservesEachRetriedRun(t *testing.T) {
	clock := clocktest.NewStepping(time.Unix(0, 0))
	retry, err := middleware.NewRetry(middleware.RetryConfig{Clock: clock,
		Policy: sourceflow.RetryPolicy{MaxRetries: 2, InitialInterval: time.Millisecond}})
	require.NoError(t, err)
	var observed []string
	msg := message.NewMessage("1", nil)
	msg.SetContext(sourceflow.WithRetriedRunObserver(msg.Context(), func(run int, err error) {
		observed = append(observed, fmt.Sprintf("%d: %v", run, err))
	}))
	runs := 0

	_, err = retry(func(*message.Message) ([]*message.Message, error) {
		runs++
		return nil, fmt.Errorf("down %d", runs)
	})(msg)

	require.ErrorIs(t, err, middleware.ErrRetriesExhausted)
	assert.Equal(t, 3, runs)
	assert.Equal(t, []string{"1: down 1", "2: down 2"}, observed)
}

// Without an observer on the context, ObserveRetriedRun does nothing.
func TestObserveRetriedRunWithoutObserver(t *testing.T) {
	msg := message.NewMessage("1", nil)
	assert.NotPanics(t, func() { sourceflow.ObserveRetriedRun(msg.Context(), 1, errors.New("down")) })
}
