package cqrs_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A Close whose router times out waiting for a handler returns an error
// naming the package, the service and the timeout, not Watermill's bare
// "router close timeout".
func TestACloseWhoseRouterTimesOutNamesTheService(t *testing.T) {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{CloseTimeout: 10 * time.Millisecond})
	require.NoError(t, err)
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "stuck", Transport: tr, Listen: []string{"orders"}, CloseTimeout: 10 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, cqrs.RegisterCommand[CreateOrder](svc, "orders.CreateOrder", "orders"))
	running, release := make(chan struct{}, 1), make(chan struct{})
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), func(context.Context, *Order, CreateOrder, cqrs.Envelope) ([]any, error) {
		running <- struct{}{}
		<-release // ignores its context
		return nil, nil
	}))
	require.NoError(t, svc.Start(context.Background()))
	sent := make(chan error, 1)
	go func() {
		_, err := svc.CommandBus().Send(context.Background(), "o-1", CreateOrder{Amount: 1})
		sent <- err
	}()
	<-running
	err = svc.Close()
	require.ErrorContains(t, err, `cqrs: service "stuck": close: router close timeout: handlers still running after ServiceConfig.CloseTimeout 10ms`)
	close(release)
	<-sent
	require.NoError(t, tr.Close())
}
