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

// A Close whose router times out before the transport's own, longer,
// CloseTimeout says that closing the subscriptions waits for the handlers
// until that one: the error tells the whole wait, not the service's alone.
func TestACloseWhoseRouterTimesOutNamesTheTransportsLongerBound(t *testing.T) {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{CloseTimeout: 300 * time.Millisecond})
	require.NoError(t, err)
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "slow", Transport: tr, Listen: []string{"orders"}, CloseTimeout: 10 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, cqrs.RegisterCommand[CreateOrder](svc, "orders.CreateOrder", "orders"))
	running, ended := make(chan struct{}, 1), make(chan struct{})
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), func(ctx context.Context, _ *Order, _ CreateOrder, _ cqrs.Envelope) ([]any, error) {
		running <- struct{}{}
		<-ctx.Done()
		close(ended)
		return nil, ctx.Err()
	}))
	require.NoError(t, svc.Start(context.Background()))
	sent := make(chan error, 1)
	go func() {
		_, err := svc.CommandBus().Send(context.Background(), "o-1", CreateOrder{Amount: 1})
		sent <- err
	}()
	<-running
	err = svc.Close()
	require.ErrorContains(t, err, `handlers still running after ServiceConfig.CloseTimeout 10ms; `+
		`closing its subscriptions waits for them until the transport's ChannelConfig.CloseTimeout 300ms after the close began`)
	<-ended // the transport's bound ended the handler's context
	<-sent
	require.NoError(t, tr.Close())
}

// A HybridTransport's subscriptions close with the bound of the transport
// that carries each destination: a Close whose router times out names the
// longer bound of the transport inside, as it does without the hybrid.
func TestACloseWhoseRouterTimesOutNamesTheLongerBoundWithinAHybrid(t *testing.T) {
	inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{CloseTimeout: 300 * time.Millisecond})
	require.NoError(t, err)
	tr, err := cqrs.NewHybridTransport(cqrs.HybridConfig{Default: inner})
	require.NoError(t, err)
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "slow", Transport: tr, Listen: []string{"orders"}, CloseTimeout: 10 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, cqrs.RegisterCommand[CreateOrder](svc, "orders.CreateOrder", "orders"))
	running, ended := make(chan struct{}, 1), make(chan struct{})
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), func(ctx context.Context, _ *Order, _ CreateOrder, _ cqrs.Envelope) ([]any, error) {
		running <- struct{}{}
		<-ctx.Done()
		close(ended)
		return nil, ctx.Err()
	}))
	require.NoError(t, svc.Start(context.Background()))
	sent := make(chan error, 1)
	go func() {
		_, err := svc.CommandBus().Send(context.Background(), "o-1", CreateOrder{Amount: 1})
		sent <- err
	}()
	<-running
	err = svc.Close()
	require.ErrorContains(t, err, `handlers still running after ServiceConfig.CloseTimeout 10ms; `+
		`closing its subscriptions waits for them until the transport's ChannelConfig.CloseTimeout 300ms after the close began`)
	<-ended // the inner transport's bound ended the handler's context
	<-sent
	require.NoError(t, tr.Close())
}
