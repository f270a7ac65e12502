package cqrstest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// Deliver hands the service a message as a transport would: here a raw
// body, as an older sender wrote it, delivered twice with one message id as
// a redelivery would be; the flow runs for each delivery (at least once),
// and WaitIdle waits for both.
func TestHarnessDeliversARawMessage(t *testing.T) {
	f := newBasketFlow(t, asyncTransport(t), nil)
	env := cqrs.Envelope{Type: "test.PlaceBasket", MessageID: "m-1", EntityID: "b1", Sequence: 1}
	for range 2 {
		require.NoError(t, f.h.Deliver(context.Background(), "baskets", env, []byte(`{"Amount":5}`)))
	}
	f.waitIdle(t)
	got, found, err := f.view.Get(context.Background(), "b1")
	require.NoError(t, err)
	require.True(t, found)
	assert.GreaterOrEqual(t, got.Amount, int64(5), "projected at least once")
	assert.Zero(t, got.Amount%5)
}

// A payload is encoded with the service's codec; one the codec refuses is
// an error, and nothing is delivered.
func TestHarnessDeliverEncodesWithTheServicesCodec(t *testing.T) {
	f := newBasketFlow(t, asyncTransport(t), nil)
	env := cqrs.Envelope{Type: "test.PlaceBasket", MessageID: "m-2", EntityID: "b2", Sequence: 1}
	require.NoError(t, f.h.Deliver(context.Background(), "baskets", env, placeBasket{Amount: 3}))
	err := f.h.Deliver(context.Background(), "baskets", env, func() {})
	require.ErrorContains(t, err, "encode")
	f.waitIdle(t)
	got, found, err := f.view.Get(context.Background(), "b2")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, int64(3), got.Amount)
}
