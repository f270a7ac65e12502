package cqrstest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type placeBasket struct{ Amount int64 }
type basketPlaced struct{ Amount int64 }
type basket struct{ Amount int64 }

// TestHarnessWaitsUntilAnAsyncFlowIsDone expects the harness to wait for an
// asynchronous flow's cascade (a command, the event its saga raises, the view
// projecting it) to finish (MassTransit's harness, Wolverine's tracked
// sessions), so that the test asserts its outcome without polling.
func TestHarnessWaitsUntilAnAsyncFlowIsDone(t *testing.T) {
	f := newBasketFlow(t, asyncTransport(t), nil)
	f.place(t, "b1", 5)
	f.waitIdle(t)
	got, found, err := f.view.Get(context.Background(), "b1")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, int64(5), got.Amount)
}
