package cqrstest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
)

type placeBasket struct{ Amount int64 }
type basketPlaced struct{ Amount int64 }
type basket struct{ Amount int64 }

// idleWaiter is the harness API this test expects: WaitIdle returns once every
// message published through the harness's service, and every message its
// handlers sent or raised in turn, was handled or dead-lettered (MassTransit's
// harness, Wolverine's tracked sessions), so that a test of a flow on an
// asynchronous transport asserts its outcome without polling.
type idleWaiter interface {
	WaitIdle(ctx context.Context) error
}

// TestHarnessWaitsUntilAnAsyncFlowIsDone expects the harness to wait for an
// asynchronous flow's cascade (a command, the event its saga raises, the view
// projecting it) to finish. It fails because Harness has no such method: on
// an asynchronous transport a test can only poll the view.
func TestHarnessWaitsUntilAnAsyncFlowIsDone(t *testing.T) {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	h := cqrstest.New(t, cqrs.ServiceConfig{Name: "baskets", Transport: tr, Listen: []string{"baskets", "basket-events"}})
	h.Must(cqrs.RegisterCommand[placeBasket](h.Service, "test.PlaceBasket", "baskets"))
	h.Must(cqrs.RegisterEvent[basketPlaced](h.Service, "test.BasketPlaced", "basket-events"))
	h.Must(cqrs.Handle(cqrs.NewSaga[basket](h.Service, "basket"), func(_ context.Context, b *basket, c placeBasket, _ cqrs.Envelope) ([]any, error) {
		b.Amount += c.Amount
		return []any{basketPlaced(c)}, nil
	}))
	view := cqrs.NewView[basket](h.Service, "basket-summary")
	h.Must(cqrs.Project(view, func(_ context.Context, b *basket, e basketPlaced, _ cqrs.Envelope) error {
		b.Amount += e.Amount
		return nil
	}))
	h.Start()

	_, err = cqrs.NewAggregate(h.Service, "basket").Send(context.Background(), "b1", placeBasket{Amount: 5})
	require.NoError(t, err)

	w, ok := any(h).(idleWaiter)
	require.True(t, ok, "cqrstest.Harness has no WaitIdle(ctx) error: an asynchronous flow can only be polled for")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, w.WaitIdle(ctx))
	got, found, err := view.Get(context.Background(), "b1")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, int64(5), got.Amount)
}
