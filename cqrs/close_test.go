package cqrs_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// closeResult is what a Close returned and whether the blocked handler had
// finished by then.
type closeResult struct {
	err      error
	finished bool
}

// A second Close, called while the first one drains, waits for that drain
// and returns its result; the draining handler can still send meanwhile.
func TestASecondCloseWaitsForTheFirstOnesDrain(t *testing.T) {
	svc := newService(t, newTransport(t), "close-twice", "order-events")
	started, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	var finished atomic.Bool
	sent := make(chan error, 1)
	require.NoError(t, cqrs.React(cqrs.NewAggregate(svc, "a"), func(ctx context.Context, _ *cqrs.Aggregate, e OrderCreated, _ cqrs.Envelope) error {
		once.Do(func() { close(started) })
		<-release
		_, err := svc.EventQueue().Raise(ctx, e.OrderID, PaymentProcessed{OrderID: e.OrderID})
		select {
		case sent <- err:
		default:
		}
		finished.Store(true)
		return err
	}))
	start(t, svc)
	go func() { _, _ = svc.EventQueue().Raise(context.Background(), "o-1", OrderCreated{OrderID: "o-1"}) }()
	<-started
	first := make(chan error, 1)
	go func() { first <- svc.Close() }()
	eventually(t, func() bool {
		_, err := svc.EventQueue().Raise(context.Background(), "o-2", OrderCreated{})
		return errors.Is(err, cqrs.ErrNotStarted)
	}, "the first Close began")
	second := make(chan closeResult, 1)
	go func() {
		err := svc.Close()
		second <- closeResult{err: err, finished: finished.Load()}
	}()
	require.Never(t, func() bool { return len(second) > 0 }, 100*time.Millisecond, 5*time.Millisecond,
		"the second Close returned while a handler was still draining")
	close(release)
	require.NoError(t, <-sent, "the draining handler could still raise its event")
	got := <-second
	require.NoError(t, got.err)
	require.True(t, got.finished, "the second Close returned after the drain")
	require.NoError(t, <-first)
}

// A closed service does not start again: nothing would stop it.
func TestAClosedServiceDoesNotStartAgain(t *testing.T) {
	for _, startFirst := range []bool{false, true} {
		svc := newService(t, newTransport(t), "closed", "order-events")
		require.NoError(t, cqrs.React(cqrs.NewAggregate(svc, "a"), func(context.Context, *cqrs.Aggregate, OrderCreated, cqrs.Envelope) error {
			return nil
		}))
		if startFirst {
			require.NoError(t, svc.Start(context.Background()))
		}
		require.NoError(t, svc.Close())
		require.ErrorIs(t, svc.Start(context.Background()), cqrs.ErrStarted)
		_, err := svc.EventQueue().Raise(context.Background(), "o-1", OrderCreated{})
		require.ErrorIs(t, err, cqrs.ErrNotStarted)
		require.NoError(t, svc.Close())
	}
}
