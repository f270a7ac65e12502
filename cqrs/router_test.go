package cqrs_test

import (
	"context"
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
