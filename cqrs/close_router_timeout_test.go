package cqrs_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// closeWhileHandling starts a service called name on tr, with a
// CloseTimeout of 10ms, whose one handler runs handle; it sends a command,
// closes the service once handle runs, and returns the channel that gets
// the Send's result and the Close's error.
func closeWhileHandling(t *testing.T, tr cqrs.Transport, name string, handle func(ctx context.Context) error) (<-chan error, error) {
	t.Helper()
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: name, Transport: tr, Listen: []string{"orders"}, CloseTimeout: 10 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, cqrs.RegisterCommand[CreateOrder](svc, "orders.CreateOrder", "orders"))
	running := make(chan struct{}, 1)
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), func(ctx context.Context, _ *Order, _ CreateOrder, _ cqrs.Envelope) ([]any, error) {
		running <- struct{}{}
		return nil, handle(ctx)
	}))
	require.NoError(t, svc.Start(context.Background()))
	sent := make(chan error, 1)
	go func() {
		_, err := svc.CommandBus().Send(context.Background(), "o-1", CreateOrder{Amount: 1})
		sent <- err
	}()
	<-running
	return sent, svc.Close()
}

// untilCanceled is a handler that runs until its context ends, then closes
// ended.
func untilCanceled(ended chan struct{}) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		<-ctx.Done()
		close(ended)
		return ctx.Err()
	}
}

// A Close whose router times out waiting for a handler returns an error
// naming the package, the service and the timeout, not Watermill's bare
// "router close timeout".
func TestACloseWhoseRouterTimesOutNamesTheService(t *testing.T) {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{CloseTimeout: 10 * time.Millisecond})
	require.NoError(t, err)
	release := make(chan struct{})
	sent, err := closeWhileHandling(t, tr, "stuck", func(context.Context) error {
		<-release // ignores its context
		return nil
	})
	require.ErrorContains(t, err, `cqrs: service "stuck": close: router close timeout: handlers, or their subscriptions settling their messages, still running after ServiceConfig.CloseTimeout 10ms`)
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
	ended := make(chan struct{})
	sent, err := closeWhileHandling(t, tr, "slow", untilCanceled(ended))
	require.ErrorContains(t, err, `handlers, or their subscriptions settling their messages, still running after ServiceConfig.CloseTimeout 10ms; `+
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
	ended := make(chan struct{})
	sent, err := closeWhileHandling(t, tr, "slow", untilCanceled(ended))
	require.ErrorContains(t, err, `handlers, or their subscriptions settling their messages, still running after ServiceConfig.CloseTimeout 10ms; `+
		`closing its subscriptions waits for them until the transport's ChannelConfig.CloseTimeout 300ms after the close began`)
	<-ended // the inner transport's bound ended the handler's context
	<-sent
	require.NoError(t, tr.Close())
}
