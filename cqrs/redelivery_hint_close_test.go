package cqrs_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// closeDuringHintedPause starts a service on the transport newTransport
// makes, whose handler fails with a 5-minute hint (sourceflow.RetryAfter),
// waits in a synctest bubble until the message failed once and waits for
// its next delivery, and returns how long the service's Close then took.
func closeDuringHintedPause(t *testing.T, newTransport func(t *testing.T) cqrs.Transport) (took time.Duration, deliveries int64) {
	synctest.Test(t, func(t *testing.T) {
		svc := newService(t, newTransport(t), "orders", "orders")
		var n atomic.Int64
		require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), func(context.Context, *Order, CreateOrder, cqrs.Envelope) ([]any, error) {
			n.Add(1)
			return nil, sourceflow.RetryAfter(errors.New("card declined"), 5*time.Minute)
		}))
		require.NoError(t, svc.Start(context.Background()))
		_, err := cqrs.NewAggregate(svc, "order").Send(context.Background(), "o-1", CreateOrder{Amount: 5})
		require.NoError(t, err)
		for n.Load() < 1 {
			time.Sleep(time.Millisecond) // fake time
		}
		synctest.Wait() // the message waits for its hinted next delivery
		began := time.Now()
		require.NoError(t, svc.Close())
		took, deliveries = time.Since(began), n.Load()
	})
	return took, deliveries
}

// A message held in process for its hinted next delivery does not hold up
// Close: the wait ends at once when the subscription closes, on
// ChannelTransport (Async: a synchronous Send waits through the pauses, see
// TestSynchronousSendWaitsThroughHintedPauses) and on PubSubTransport, and
// the message is not delivered again meanwhile.
func TestCloseEndsAHintedPauseAtOnce(t *testing.T) {
	async := func(t *testing.T) cqrs.Transport {
		tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
		require.NoError(t, err)
		t.Cleanup(func() { _ = tr.Close() })
		return tr
	}
	took, n := closeDuringHintedPause(t, async)
	assert.Less(t, took, time.Second, "ChannelTransport: Close within the pause")
	assert.EqualValues(t, 1, n)
	pubSub := func(t *testing.T) cqrs.Transport {
		return newPubSubRig(t).transport(t, cqrs.PubSubConfig{RedeliveryDelay: cqrs.DefaultRedeliveryDelay})
	}
	took, n = closeDuringHintedPause(t, pubSub)
	assert.Less(t, took, time.Second, "PubSubTransport: Close within the pause")
	assert.EqualValues(t, 1, n)
}

// On a synchronous ChannelTransport (the default) Send returns once the
// message is handled, its redeliveries included: with a hinted delay it
// waits through every hinted pause (here 7 of 5 minutes: the default 8
// deliveries).
func TestSynchronousSendWaitsThroughHintedPauses(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := newService(t, channelTransport(t), "orders", "orders")
		var n atomic.Int64
		require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), func(context.Context, *Order, CreateOrder, cqrs.Envelope) ([]any, error) {
			n.Add(1)
			return nil, sourceflow.RetryAfter(errors.New("card declined"), 5*time.Minute)
		}))
		start(t, svc)
		began := time.Now()
		_, err := cqrs.NewAggregate(svc, "order").Send(context.Background(), "o-1", CreateOrder{Amount: 5})
		require.NoError(t, err)
		assert.Equal(t, 35*time.Minute, time.Since(began), "Send waited through 7 hinted pauses")
		assert.EqualValues(t, cqrs.DefaultMaxDeliveries, n.Load(), "then the message was dead-lettered")
	})
}
