package cqrstest_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	sourceflow "github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
)

type basketNoted struct{ Note string }

// basketFlow is a harness on tr running the basket flow: a saga whose
// PlaceBasket handler runs fail (when not nil) first, then raises
// BasketPlaced, which a view projects.
type basketFlow struct {
	h    *cqrstest.Harness
	view *cqrs.View[basket]
}

func newBasketFlow(t *testing.T, tr cqrs.Transport, fail func() error) basketFlow {
	h := cqrstest.New(t, cqrs.ServiceConfig{Name: "baskets", Transport: tr, Listen: []string{"baskets", "basket-events"}})
	h.Must(cqrs.RegisterCommand[placeBasket](h.Service, "test.PlaceBasket", "baskets"))
	h.Must(cqrs.RegisterEvent[basketPlaced](h.Service, "test.BasketPlaced", "basket-events"))
	h.Must(cqrs.RegisterEvent[basketNoted](h.Service, "test.BasketNoted", "basket-events"))
	h.Must(cqrs.Handle(cqrs.NewSaga[basket](h.Service, "basket"), func(_ context.Context, b *basket, c placeBasket, _ cqrs.Envelope) ([]any, error) {
		if fail != nil {
			if err := fail(); err != nil {
				return nil, err
			}
		}
		b.Amount += c.Amount
		return []any{basketPlaced(c)}, nil
	}))
	view := cqrs.NewView[basket](h.Service, "basket-summary")
	h.Must(cqrs.Project(view, func(_ context.Context, b *basket, e basketPlaced, _ cqrs.Envelope) error {
		b.Amount += e.Amount
		return nil
	}))
	h.Start()
	return basketFlow{h: h, view: view}
}

func (f basketFlow) place(t *testing.T, id string, amount int64) {
	_, err := cqrs.NewAggregate(f.h.Service, "basket").Send(context.Background(), id, placeBasket{Amount: amount})
	require.NoError(t, err)
}

func (f basketFlow) waitIdle(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, f.h.WaitIdle(ctx))
}

// A message that fails and is redelivered is not done until a delivery of
// it is handled: WaitIdle returns after the cascade of its third delivery.
func TestWaitIdleWaitsForARedeliveredMessage(t *testing.T) {
	var runs atomic.Int32
	f := newBasketFlow(t, asyncTransport(t), func() error {
		if runs.Add(1) < 3 {
			return errors.New("store busy")
		}
		return nil
	})
	f.place(t, "b1", 5)
	f.waitIdle(t)
	assert.GreaterOrEqual(t, runs.Load(), int32(3))
	got, found, err := f.view.Get(context.Background(), "b1")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, int64(5), got.Amount)
}

// A dead-lettered message is done: WaitIdle returns, and the dead letter
// is there to assert.
func TestWaitIdleEndsWithADeadLetter(t *testing.T) {
	f := newBasketFlow(t, asyncTransport(t), func() error { return sourceflow.Permanent(errors.New("basket closed")) })
	f.place(t, "b1", 5)
	f.waitIdle(t)
	dl, err := f.h.DeadLetters(context.Background())
	require.NoError(t, err)
	require.Len(t, dl, 1)
	assert.Contains(t, dl[0].Reason, "basket closed")
	_, found, err := f.view.Get(context.Background(), "b1")
	require.NoError(t, err)
	assert.False(t, found)
}

// An event no handler of the service takes is dropped by the type filter,
// which counts as done.
func TestWaitIdleCountsAnEventTheTypeFilterDropsAsDone(t *testing.T) {
	tr := asyncTransport(t)
	f := newBasketFlow(t, tr, nil)
	_, err := f.h.Service.EventQueue().Raise(context.Background(), "b1", basketNoted{Note: "gift"})
	require.NoError(t, err)
	f.waitIdle(t)
	assert.Equal(t, int64(1), tr.FilteredByDestination()["basket-events"])
}

// On a PubSubTransport (here over gochannel) WaitIdle waits for the whole
// cascade too.
func TestWaitIdleOnAPubSubTransport(t *testing.T) {
	f := newBasketFlow(t, gochannelTransport(t), nil)
	for _, id := range []string{"b1", "b2", "b3"} {
		f.place(t, id, 2)
	}
	f.waitIdle(t)
	for _, id := range []string{"b1", "b2", "b3"} {
		got, found, err := f.view.Get(context.Background(), id)
		require.NoError(t, err)
		require.True(t, found, id)
		assert.Equal(t, int64(2), got.Amount, id)
	}
}

// WaitIdle gives up when its context ends, saying how many messages are
// still pending.
func TestWaitIdleReturnsWhenItsContextEnds(t *testing.T) {
	release := make(chan struct{})
	f := newBasketFlow(t, asyncTransport(t), func() error { <-release; return nil })
	t.Cleanup(func() { close(release) }) // before the service closes
	f.place(t, "b1", 5)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := f.h.WaitIdle(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "1 messages of baskets neither handled nor dead-lettered")
}
