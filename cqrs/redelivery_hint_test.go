package cqrs_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// deliveryGaps runs, in a synctest bubble, a ChannelTransport at its
// defaults whose handler always fails with fail, until the message is
// dead-lettered, and returns the pauses between its deliveries.
func deliveryGaps(t *testing.T, fail error) (gaps []time.Duration) {
	synctest.Test(t, func(t *testing.T) {
		tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
		require.NoError(t, err)
		t.Cleanup(func() { _ = tr.Close() })
		svc := newService(t, tr, "orders", "orders")
		var mu sync.Mutex
		var at []time.Time
		require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), func(context.Context, *Order, CreateOrder, cqrs.Envelope) ([]any, error) {
			mu.Lock()
			defer mu.Unlock()
			at = append(at, time.Now())
			return nil, fail
		}))
		start(t, svc)
		_, err = cqrs.NewAggregate(svc, "order").Send(context.Background(), "o-1", CreateOrder{Amount: 5})
		require.NoError(t, err)
		for tr.DeadLetterCount() == 0 {
			time.Sleep(time.Second) // fake time: only until the last delivery's pause ran
		}
		mu.Lock()
		defer mu.Unlock()
		for i := 1; i < len(at); i++ {
			gaps = append(gaps, at[i].Sub(at[i-1]))
		}
	})
	return gaps
}

// A failed delivery whose handler hinted when to try again
// (sourceflow.RetryAfter) is delivered again after that delay, at most 5
// minutes, instead of the transport's RedeliveryDelay; an unhinted one
// keeps the RedeliveryDelay.
func TestChannelTransportRedeliversAfterTheHintedDelay(t *testing.T) {
	declined := errors.New("card declined")
	assert.Equal(t, []time.Duration{3 * time.Minute, 3 * time.Minute, 3 * time.Minute, 3 * time.Minute},
		deliveryGaps(t, sourceflow.RetryAfter(declined, 3*time.Minute)), "5 deliveries, 3 minutes apart")
	assert.Equal(t, []time.Duration{5 * time.Minute, 5 * time.Minute, 5 * time.Minute, 5 * time.Minute},
		deliveryGaps(t, sourceflow.RetryAfter(declined, time.Hour)), "a hint is capped at 5 minutes")
	assert.Equal(t, []time.Duration{10 * time.Millisecond, 10 * time.Millisecond, 10 * time.Millisecond, 10 * time.Millisecond},
		deliveryGaps(t, declined), "unhinted: the RedeliveryDelay")
}
