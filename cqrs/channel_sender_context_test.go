package cqrs_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A Send on the synchronous ChannelTransport whose context ends while its
// command is being handled returns the context's error, saying the command
// was handed over; the handling goes on and completes, and nothing is
// dead-lettered because the sender stopped waiting.
func TestASyncSendReturnsWhenItsContextEndsAndTheHandlingGoesOn(t *testing.T) {
	tr := newTransport(t)
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Transport: tr, Listen: []string{"orders.fifo"}})
	require.NoError(t, err)
	require.NoError(t, cqrs.RegisterCommand[CreateOrder](svc, "orders.CreateOrder", "orders.fifo"))
	running, release := make(chan struct{}, 1), make(chan struct{})
	var handled atomic.Int64
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), func(_ context.Context, o *Order, c CreateOrder, _ cqrs.Envelope) ([]any, error) {
		select {
		case running <- struct{}{}:
		default:
		}
		<-release
		o.Amount = c.Amount
		handled.Add(1)
		return nil, nil
	}))
	require.NoError(t, svc.Start(context.Background()))
	t.Cleanup(func() { require.NoError(t, svc.Close()) })

	ctx, cancel := context.WithCancel(context.Background())
	sent := make(chan error, 1)
	go func() {
		_, err := cqrs.NewAggregate(svc, "order").Send(ctx, "o-1", CreateOrder{Amount: 42})
		sent <- err
	}()
	<-running
	cancel()
	err = within(t, sent, "the send returns once its context ended")
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorContains(t, err, `to "orders.fifo": handed over, and may still be handled: stopped waiting for its handling: context canceled`)

	close(release)
	eventually(t, func() bool { return handled.Load() >= 1 }, "the command is handled after its sender stopped waiting")
	_, err = cqrs.NewAggregate(svc, "order").Send(context.Background(), "o-2", CreateOrder{Amount: 1})
	require.NoError(t, err, "later sends go out")
	require.Zero(t, tr.DeadLetterCount(), "nothing is dead-lettered because the sender stopped waiting")
}

// A handler holding its entity's lock (a saga's) that raises an event with a
// context derived from its own, which ends while a reaction handles the
// event, has its Raise return the context's error; the reaction still
// completes, and nothing is dead-lettered.
func TestARaiseInALockingChainReturnsWhenItsContextEnds(t *testing.T) {
	tr := newTransport(t)
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Transport: tr, Listen: []string{"orders", "order-events"}})
	require.NoError(t, err)
	registerOrderTypes(t, svc)
	reacting, release := make(chan struct{}, 1), make(chan struct{})
	raised := make(chan error, 1)
	var reacted atomic.Int64
	agg := cqrs.NewAggregate(svc, "order")
	require.NoError(t, errors.Join(
		cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), func(ctx context.Context, _ *Order, _ CreateOrder, env cqrs.Envelope) ([]any, error) {
			ctx, cancel := context.WithCancel(ctx)
			defer cancel()
			go func() {
				<-reacting
				cancel()
			}()
			_, err := svc.EventQueue().Raise(ctx, env.EntityID, OrderCreated{OrderID: env.EntityID})
			raised <- err
			return nil, nil
		}),
		cqrs.React(agg, func(context.Context, *cqrs.Aggregate, OrderCreated, cqrs.Envelope) error {
			select {
			case reacting <- struct{}{}:
			default:
			}
			<-release
			reacted.Add(1)
			return nil
		}),
	))
	require.NoError(t, svc.Start(context.Background()))
	t.Cleanup(func() { require.NoError(t, svc.Close()) })

	sent := make(chan error, 1)
	go func() {
		_, err := agg.Send(context.Background(), "o-1", CreateOrder{Amount: 1})
		sent <- err
	}()
	err = within(t, raised, "the raise returns once its context ended")
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorContains(t, err, "handed over, and may still be handled")
	require.NoError(t, <-sent)
	close(release)
	eventually(t, func() bool { return reacted.Load() >= 1 }, "the reaction completes after the raise stopped waiting")
	require.Zero(t, tr.DeadLetterCount())
}

// within returns what ch carries, failing the test when nothing came in
// 10s: what it waits for hangs.
func within[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("still waiting after 10s: %s", what)
		panic("unreachable")
	}
}
