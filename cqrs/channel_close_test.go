package cqrs_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// blockingReactor registers a reactor on svc whose handling signals started,
// then waits for release or for its context to end, and reports which came
// first (nil: released).
func blockingReactor(t *testing.T, svc *cqrs.Service) (started, release chan struct{}, result chan error) {
	t.Helper()
	started, release, result = make(chan struct{}), make(chan struct{}), make(chan error, 1)
	var once sync.Once
	require.NoError(t, cqrs.React(cqrs.NewAggregate(svc, "a"), func(ctx context.Context, _ *cqrs.Aggregate, _ OrderCreated, _ cqrs.Envelope) error {
		once.Do(func() { close(started) })
		var err error
		select {
		case <-release:
		case <-ctx.Done():
			err = ctx.Err()
		}
		select {
		case result <- err:
		default:
		}
		return err
	}))
	return started, release, result
}

// A handler in flight when its service closes keeps a live context: Close
// waits for it, and it finishes its work.
func TestChannelTransportCloseLetsAHandlerInFlightFinish(t *testing.T) {
	_, svc := channelService(t, cqrs.ChannelConfig{CloseTimeout: time.Minute}, "close-live")
	started, release, result := blockingReactor(t, svc)
	start(t, svc)
	go func() { _, _ = svc.EventQueue().Raise(context.Background(), "o-1", OrderCreated{OrderID: "o-1"}) }()
	<-started
	closed := make(chan error, 1)
	go func() { closed <- svc.Close() }()
	require.Never(t, func() bool { return len(result) > 0 }, 300*time.Millisecond, 5*time.Millisecond,
		"the handler's context ended when the service began to close")
	require.Empty(t, closed, "Close returned while a handler was in flight")
	close(release)
	require.NoError(t, <-result)
	require.NoError(t, <-closed)
}

// The live context is bounded: a handler still running CloseTimeout after
// the service began to close sees its context end.
func TestChannelTransportCloseEndsAHandlerPastCloseTimeout(t *testing.T) {
	_, svc := channelService(t, cqrs.ChannelConfig{CloseTimeout: 50 * time.Millisecond}, "close-bounded")
	started, release, result := blockingReactor(t, svc)
	defer close(release)
	start(t, svc)
	go func() { _, _ = svc.EventQueue().Raise(context.Background(), "o-1", OrderCreated{OrderID: "o-1"}) }()
	<-started
	closed := make(chan error, 1)
	go func() { closed <- svc.Close() }()
	select {
	case err := <-result:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(10 * time.Second):
		t.Fatal("the handler's context did not end after CloseTimeout")
	}
	require.NoError(t, <-closed)
}

func TestChannelConfigRejectsANegativeCloseTimeout(t *testing.T) {
	_, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{CloseTimeout: -time.Second})
	require.ErrorContains(t, err, "CloseTimeout")
}
