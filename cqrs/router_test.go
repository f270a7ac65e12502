package cqrs_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// TestServiceRunsInTheCallersRouter: two services share a router the caller
// configures the Watermill way (a plugin and router-level middleware) and
// runs; each service's handlers run in it, the router middleware wraps them,
// and closing one service stops only its handlers.
func TestServiceRunsInTheCallersRouter(t *testing.T) {
	router, err := message.NewRouter(message.RouterConfig{}, watermill.NopLogger{})
	require.NoError(t, err)
	var plugged, wrapped atomic.Int64
	router.AddPlugin(func(*message.Router) error { plugged.Add(1); return nil })
	router.AddMiddleware(func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			wrapped.Add(1)
			return h(msg)
		}
	})
	tr := newTransport(t)
	orders := newOrderApp(t, cqrs.ServiceConfig{Router: router, Transport: tr})
	require.NoError(t, orders.svc.Start(context.Background()), "handlers are added before the router runs")
	t.Cleanup(func() { assert.NoError(t, orders.svc.Close(), "closing after the router closed") })
	go func() { _ = router.Run(context.Background()) }()
	t.Cleanup(func() { _ = router.Close() })
	<-router.Running()

	audit, err := cqrs.NewService(cqrs.ServiceConfig{Name: "audit", Transport: tr, Listen: []string{"audit"}, Router: router})
	require.NoError(t, err)
	require.NoError(t, cqrs.RegisterCommand[CreateOrder](audit, "audit.Note", "audit"))
	var noted atomic.Int64
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](audit, "note"), func(context.Context, *Order, CreateOrder, cqrs.Envelope) ([]any, error) {
		noted.Add(1)
		return nil, nil
	}))
	require.NoError(t, audit.Start(context.Background()), "handlers added to a running router start at once")

	_, err = orders.agg.Send(context.Background(), "o-1", CreateOrder{Amount: 3})
	require.NoError(t, err)
	_, err = cqrs.NewAggregate(audit, "note").Send(context.Background(), "n-1", CreateOrder{})
	require.NoError(t, err)
	eventually(t, func() bool { return noted.Load() == 1 }, "the second service handles in the shared router")
	s, found, err := orders.view.Get(context.Background(), "o-1")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, 3, s.Amount)
	assert.Equal(t, int64(1), plugged.Load(), "the caller's plugin ran")
	assert.GreaterOrEqual(t, wrapped.Load(), int64(5), "router middleware wraps every service's handlers")

	require.NoError(t, audit.Close())
	assert.True(t, router.IsRunning(), "closing a service leaves the caller's router running")
	_, err = orders.agg.Send(context.Background(), "o-2", CreateOrder{Amount: 4})
	require.NoError(t, err, "the other service still handles")
	s, found, err = orders.view.Get(context.Background(), "o-2")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, 4, s.Amount)
}

// flakySubscribers is a transport whose Subscriber fails the first time it
// is asked for failOn; it keeps the subscribers it gives out.
type flakySubscribers struct {
	cqrs.Transport
	failOn string
	failed atomic.Bool
	mu     sync.Mutex
	subs   []*closeCounter
}

func (f *flakySubscribers) Subscriber(dest string) (message.Subscriber, error) {
	if dest == f.failOn && f.failed.CompareAndSwap(false, true) {
		return nil, errors.New("subscriber unavailable")
	}
	sub, err := f.Transport.Subscriber(dest)
	if err != nil {
		return nil, err
	}
	c := &closeCounter{Subscriber: sub}
	f.mu.Lock()
	f.subs = append(f.subs, c)
	f.mu.Unlock()
	return c, nil
}

type closeCounter struct {
	message.Subscriber
	closes atomic.Int64
}

func (c *closeCounter) Close() error {
	c.closes.Add(1)
	return c.Subscriber.Close()
}

// TestAStartThatFailedInTheCallersRouterIsRetried: in a running router, the
// subscriber of the second destination fails once, so Start fails; the
// retried Start adds the handlers and messages flow. Close closes every
// subscriber the service created.
func TestAStartThatFailedInTheCallersRouterIsRetried(t *testing.T) {
	router, err := message.NewRouter(message.RouterConfig{}, watermill.NopLogger{})
	require.NoError(t, err)
	go func() { _ = router.Run(context.Background()) }()
	t.Cleanup(func() { _ = router.Close() })
	<-router.Running()
	flaky := &flakySubscribers{Transport: newTransport(t), failOn: "payments"}
	app := newOrderApp(t, cqrs.ServiceConfig{Router: router, Transport: flaky})

	require.ErrorContains(t, app.svc.Start(context.Background()), "subscriber unavailable")
	type Refund struct{}
	err = cqrs.RegisterCommand[Refund](app.svc, "Refund", "refunds.fifo")
	require.ErrorIs(t, err, cqrs.ErrStarted, "the failed Start bound the transport: a new route would skip Bind's checks")
	assert.ErrorContains(t, err, "retry Start")
	require.NotPanics(t, func() { err = app.svc.Start(context.Background()) })
	require.NoError(t, err, "the retried Start adds the handlers")
	_, err = app.agg.Send(context.Background(), "o-1", CreateOrder{Amount: 3})
	require.NoError(t, err)
	eventually(t, func() bool {
		s, _, err := app.view.Get(context.Background(), "o-1")
		return err == nil && s.Paid
	}, "the whole flow runs")

	require.NoError(t, app.svc.Close())
	flaky.mu.Lock()
	defer flaky.mu.Unlock()
	for i, sub := range flaky.subs {
		assert.Positive(t, sub.closes.Load(), "subscriber %d is closed", i)
	}
	assert.True(t, router.IsRunning(), "the caller's router still runs")
}
