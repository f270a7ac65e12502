package cqrs_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// deliveryGaps runs, in a synctest bubble, the transport newTransport
// makes (at its defaults), whose handler always fails with fail, until the
// message was delivered n times, and returns the pauses between those
// deliveries.
func deliveryGaps(t *testing.T, newTransport func(t *testing.T) cqrs.Transport, n int, fail error) (gaps []time.Duration) {
	synctest.Test(t, func(t *testing.T) {
		svc := newService(t, newTransport(t), "orders", "orders")
		var mu sync.Mutex
		var at []time.Time
		require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), func(context.Context, *Order, CreateOrder, cqrs.Envelope) ([]any, error) {
			mu.Lock()
			defer mu.Unlock()
			at = append(at, time.Now())
			return nil, fail
		}))
		start(t, svc)
		_, err := cqrs.NewAggregate(svc, "order").Send(context.Background(), "o-1", CreateOrder{Amount: 5})
		require.NoError(t, err)
		delivered := func() int {
			mu.Lock()
			defer mu.Unlock()
			return len(at)
		}
		for delivered() < n {
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

// channelTransport is a ChannelTransport at its defaults (5 deliveries).
func channelTransport(t *testing.T) cqrs.Transport {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	return tr
}

// A failed delivery whose handler hinted when to try again
// (sourceflow.RetryAfter) is delivered again after that delay, at most 5
// minutes, instead of the transport's RedeliveryDelay; an unhinted one
// keeps the RedeliveryDelay.
func TestChannelTransportRedeliversAfterTheHintedDelay(t *testing.T) {
	declined := errors.New("card declined")
	n := cqrs.DefaultMaxDeliveries // the ChannelTransport's default, as the other transports'
	assert.Equal(t, slices.Repeat([]time.Duration{3 * time.Minute}, n-1),
		deliveryGaps(t, channelTransport, n, sourceflow.RetryAfter(declined, 3*time.Minute)), "8 deliveries, 3 minutes apart")
	assert.Equal(t, slices.Repeat([]time.Duration{5 * time.Minute}, n-1),
		deliveryGaps(t, channelTransport, n, sourceflow.RetryAfter(declined, time.Hour)), "a hint is capped at 5 minutes")
	assert.Equal(t, slices.Repeat([]time.Duration{10 * time.Millisecond}, n-1),
		deliveryGaps(t, channelTransport, n, declined), "unhinted: the RedeliveryDelay")
}

// The same on a PubSubTransport at its defaults (8 deliveries, the first
// pause 100ms, doubling): a hinted pause replaces the backoff.
func TestPubSubTransportRedeliversAfterTheHintedDelay(t *testing.T) {
	pubSub := func(t *testing.T) cqrs.Transport {
		return newPubSubRig(t).transport(t, cqrs.PubSubConfig{RedeliveryDelay: cqrs.DefaultRedeliveryDelay})
	}
	gaps := deliveryGaps(t, pubSub, 8, sourceflow.RetryAfter(errors.New("card declined"), 2*time.Minute))
	require.Len(t, gaps, 7)
	for i, gap := range gaps {
		assert.Equal(t, 2*time.Minute, gap, "pause %d", i+1)
	}
	gaps = deliveryGaps(t, pubSub, 8, errors.New("card declined"))
	assert.Equal(t, 100*time.Millisecond, gaps[0], "unhinted: the RedeliveryDelay, doubling")
	assert.Equal(t, 200*time.Millisecond, gaps[1])
}
