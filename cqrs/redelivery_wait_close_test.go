package cqrs_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/middleware"
)

// retryingService is a service on tr with the Retry middleware at its
// defaults (MaxElapsed 10s) whose handler counts its runs in n and fails
// with a 9-second hint, which Retry waits in process.
func retryingService(t *testing.T, tr cqrs.Transport, n *atomic.Int64) *cqrs.Service {
	retry, err := middleware.NewRetry(middleware.RetryConfig{})
	require.NoError(t, err)
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Transport: tr,
		Listen: []string{"orders"}, HandlerMiddleware: []message.HandlerMiddleware{retry}})
	require.NoError(t, err)
	registerOrderTypes(t, svc)
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), func(context.Context, *Order, CreateOrder, cqrs.Envelope) ([]any, error) {
		n.Add(1)
		return nil, sourceflow.RetryAfter(errors.New("rate limited"), 9*time.Second)
	}))
	return svc
}

// closeDuringRetryWait runs, in the caller's synctest bubble, a
// retryingService on tr until its handler failed once and Retry waits,
// closes it, and returns how long Close took; it asserts the handler did
// not run again, then or in the minute after Close returned.
func closeDuringRetryWait(t *testing.T, tr cqrs.Transport) time.Duration {
	var n atomic.Int64
	svc := retryingService(t, tr, &n)
	require.NoError(t, svc.Start(context.Background()))
	_, err := cqrs.NewAggregate(svc, "order").Send(context.Background(), "o-1", CreateOrder{Amount: 5})
	require.NoError(t, err)
	for n.Load() < 1 {
		time.Sleep(time.Millisecond) // fake time
	}
	synctest.Wait() // Retry waits the hinted 9s
	began := time.Now()
	require.NoError(t, svc.Close())
	took := time.Since(began)
	time.Sleep(time.Minute) // fake time
	assert.EqualValues(t, 1, n.Load(), "the handler ran again after Close began")
	return took
}

// With the Retry middleware waiting a hinted 9s in process, Close on an
// async ChannelTransport ends the wait at once instead of draining through
// it, and the message, which gochannel cannot keep, is dead-lettered as
// failed while its subscription closed.
func TestCloseEndsARetryWaitOnChannelTransport(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
		require.NoError(t, err)
		t.Cleanup(func() { _ = tr.Close() })
		assert.Less(t, closeDuringRetryWait(t, tr), time.Second, "Close within Retry's wait")
		dead := tr.DeadLetters()
		require.Len(t, dead, 1)
		assert.Contains(t, dead[0].Reason, "rate limited")
	})
}

// With the Retry middleware waiting a hinted 9s in process, Close on a
// PubSubTransport ends the wait at once, and the message goes back to the
// Pub/Sub: a service started later on it handles the message.
func TestCloseEndsARetryWaitOnPubSubTransport(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rig := newPubSubRig(t)
		assert.Less(t, closeDuringRetryWait(t, rig.transport(t, cqrs.PubSubConfig{})), time.Second,
			"Close within Retry's wait")
		next := newService(t, rig.transport(t, cqrs.PubSubConfig{}), "orders", "orders")
		handled := make(chan string, 8)
		require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](next, "order"), func(_ context.Context, _ *Order, _ CreateOrder, env cqrs.Envelope) ([]any, error) {
			handled <- env.EntityID
			return nil, nil
		}))
		start(t, next)
		assert.Equal(t, "o-1", <-handled, "delivered again by the next service")
	})
}

// A handler run under way when Close begins keeps its live context for the
// drain, even after an earlier run failed and Retry waited: only a wait
// between runs ends at once. Its success acks the message.
func TestCloseLetsARetriedRunFinish(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
		require.NoError(t, err)
		t.Cleanup(func() { _ = tr.Close() })
		retry, err := middleware.NewRetry(middleware.RetryConfig{})
		require.NoError(t, err)
		svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Transport: tr,
			Listen: []string{"orders"}, HandlerMiddleware: []message.HandlerMiddleware{retry}})
		require.NoError(t, err)
		registerOrderTypes(t, svc)
		var n atomic.Int64
		release, ctxErr := make(chan struct{}), make(chan error, 1)
		require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), func(ctx context.Context, _ *Order, _ CreateOrder, _ cqrs.Envelope) ([]any, error) {
			if n.Add(1) == 1 {
				return nil, sourceflow.RetryAfter(errors.New("rate limited"), time.Second)
			}
			<-release
			ctxErr <- ctx.Err()
			return nil, nil
		}))
		require.NoError(t, svc.Start(context.Background()))
		_, err = cqrs.NewAggregate(svc, "order").Send(context.Background(), "o-1", CreateOrder{Amount: 5})
		require.NoError(t, err)
		for n.Load() < 2 {
			time.Sleep(time.Millisecond) // fake time
		}
		closed := make(chan error, 1)
		go func() { closed <- svc.Close() }()
		synctest.Wait() // Close drains the run under way
		close(release)
		require.NoError(t, <-ctxErr, "the run under way keeps its context")
		require.NoError(t, <-closed)
		assert.Empty(t, tr.DeadLetters(), "the run's success acked the message")
	})
}

// txStore is a Transactor over a MemoryStore whose transactions are new
// ones (not joins), its claims written outside them.
type txStore struct{ *idempotency.MemoryStore }

type txStoreKey struct{}

func (s txStore) WithinTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if err := fn(context.WithValue(ctx, txStoreKey{}, "tx")); err != nil {
		return errors.Join(err, idempotency.ErrClaimHeld)
	}
	return nil
}

// With idempotency's TxRetry waiting a hinted 9s between transactional
// runs, Close on an async ChannelTransport ends the wait at once, and the
// handler does not run again.
func TestCloseEndsATxRetryWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
		require.NoError(t, err)
		t.Cleanup(func() { _ = tr.Close() })
		store, err := idempotency.NewMemoryStore(idempotency.MemoryStoreConfig{})
		require.NoError(t, err)
		t.Cleanup(func() { _ = store.Close() })
		idem, err := idempotency.NewMiddleware(txStore{store}, idempotency.MiddlewareConfig{Consumer: "orders", Transactional: true})
		require.NoError(t, err)
		svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Transport: tr,
			Listen: []string{"orders"}, HandlerMiddleware: []message.HandlerMiddleware{idem.Middleware}})
		require.NoError(t, err)
		registerOrderTypes(t, svc)
		var n atomic.Int64
		require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), func(context.Context, *Order, CreateOrder, cqrs.Envelope) ([]any, error) {
			n.Add(1)
			return nil, sourceflow.RetryAfter(errors.New("rate limited"), 9*time.Second)
		}))
		require.NoError(t, svc.Start(context.Background()))
		_, err = cqrs.NewAggregate(svc, "order").Send(context.Background(), "o-1", CreateOrder{Amount: 5})
		require.NoError(t, err)
		for n.Load() < 1 {
			time.Sleep(time.Millisecond) // fake time
		}
		synctest.Wait() // TxRetry waits the hinted 9s
		began := time.Now()
		require.NoError(t, svc.Close())
		assert.Less(t, time.Since(began), time.Second, "Close within TxRetry's wait")
		time.Sleep(time.Minute) // fake time
		assert.EqualValues(t, 1, n.Load(), "the handler ran again after Close began")
	})
}
