package cqrs_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/middleware"
)

// runGaps runs, in a synctest bubble, a service on a ChannelTransport at
// its defaults (DefaultMaxDeliveries: 8) with the Retry middleware at its defaults in
// its pipeline, whose handler always fails with fail, until the handler ran
// n times, and returns the pauses between those runs.
func runGaps(t *testing.T, n int, fail error) (gaps []time.Duration) {
	synctest.Test(t, func(t *testing.T) {
		retry, err := middleware.NewRetry(middleware.RetryConfig{})
		require.NoError(t, err)
		svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Transport: channelTransport(t),
			Listen: []string{"orders"}, HandlerMiddleware: []message.HandlerMiddleware{retry}})
		require.NoError(t, err)
		registerOrderTypes(t, svc)
		var mu sync.Mutex
		var at []time.Time
		require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), func(context.Context, *Order, CreateOrder, cqrs.Envelope) ([]any, error) {
			mu.Lock()
			defer mu.Unlock()
			at = append(at, time.Now())
			return nil, fail
		}))
		start(t, svc)
		_, _ = cqrs.NewAggregate(svc, "order").Send(context.Background(), "o-1", CreateOrder{Amount: 5})
		ran := func() int {
			mu.Lock()
			defer mu.Unlock()
			return len(at)
		}
		for ran() < n {
			time.Sleep(time.Second) // fake time
		}
		mu.Lock()
		defer mu.Unlock()
		for i := 1; i < len(at); i++ {
			gaps = append(gaps, at[i].Sub(at[i-1]))
		}
	})
	return gaps
}

// With the Retry middleware in the pipeline, a hint past its MaxElapsed
// (10 s) goes back to the transport at once and unchanged, and the
// transport's redelivery waits it: 8 runs, one per delivery, a minute
// apart (a synchronous Send returns after the last). A hint that fits is waited in process, and once Retry gives up
// (3 retries) the hint it wraps still times the redelivery: every run of
// every delivery 3 s apart.
func TestRetryMiddlewareLeavesAHintToTheRedelivery(t *testing.T) {
	limited := errors.New("rate limited")
	minutes := make([]time.Duration, cqrs.DefaultMaxDeliveries-1)
	for i := range minutes {
		minutes[i] = time.Minute
	}
	assert.Equal(t, minutes, runGaps(t, cqrs.DefaultMaxDeliveries, sourceflow.RetryAfter(limited, time.Minute)),
		"no in-process retry; the redelivery waits the hint")
	gaps := runGaps(t, 20, sourceflow.RetryAfter(limited, 3*time.Second))
	require.GreaterOrEqual(t, len(gaps), 19, "4 runs in each delivery")
	for i, gap := range gaps {
		assert.Equal(t, 3*time.Second, gap, "pause %d: in process, or the redelivery after Retry gave up", i+1)
	}
}
