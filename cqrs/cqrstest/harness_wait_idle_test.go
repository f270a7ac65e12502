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

// TestHarnessWaitsUntilAnAsyncFlowIsDone expects the harness to wait for an
// asynchronous flow's cascade (a command, the event its saga raises, the view
// projecting it) to finish (MassTransit's harness, Wolverine's tracked
// sessions), so that the test asserts its outcome without polling.
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

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, h.WaitIdle(ctx))
	got, found, err := view.Get(context.Background(), "b1")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, int64(5), got.Amount)
}
