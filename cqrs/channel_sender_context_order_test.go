package cqrs_test

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// cancelKey keys, in a Send's context, the function cancelOnAppend calls.
type cancelKey struct{}

// cancelOnAppend is a CommandStore that ends the context of each send
// (the cancel function it carries) once the command is stored, before it
// is published.
type cancelOnAppend struct{ *cqrs.MemoryCommandStore }

func (s cancelOnAppend) Append(ctx context.Context, cmd cqrs.StoredCommand) error {
	err := s.MemoryCommandStore.Append(ctx, cmd)
	if cancel, ok := ctx.Value(cancelKey{}).(context.CancelFunc); ok {
		cancel()
	}
	return err
}

// Synchronous Sends to one entity on an ordered destination, each of whose
// senders stops waiting once its command is stored, have their commands
// handled in the order they were sent. Close waits for their handling: each
// is handled or, when the service closed first, dead-lettered, once.
func TestAbandonedSyncSendsToAFifoDestinationKeepTheirOrder(t *testing.T) {
	tr := newTransport(t)
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Transport: tr, Listen: []string{"orders.fifo"},
		CommandStore: cancelOnAppend{cqrs.NewMemoryCommandStore()}})
	require.NoError(t, err)
	require.NoError(t, cqrs.RegisterCommand[CreateOrder](svc, "orders.CreateOrder", "orders.fifo"))
	var mu sync.Mutex
	var handled []int
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), func(_ context.Context, _ *Order, c CreateOrder, _ cqrs.Envelope) ([]any, error) {
		mu.Lock()
		defer mu.Unlock()
		handled = append(handled, c.Amount)
		return nil, nil
	}))
	require.NoError(t, svc.Start(context.Background()))

	const n = 50
	agg := cqrs.NewAggregate(svc, "order")
	for i := range n {
		ctx, cancel := context.WithCancel(context.Background())
		_, err := agg.Send(context.WithValue(ctx, cancelKey{}, cancel), "o-1", CreateOrder{Amount: i})
		if err != nil {
			require.ErrorIs(t, err, context.Canceled, "send %d", i)
			require.ErrorContains(t, err, "handed over", "send %d", i)
		}
	}
	require.NoError(t, svc.Close())

	mu.Lock()
	defer mu.Unlock()
	require.True(t, slices.IsSorted(handled), "the commands of one entity are handled in the order they were sent: %v", handled)
	seen := map[int]int{}
	for _, a := range handled {
		seen[a]++
	}
	for _, dl := range tr.DeadLetters() {
		var c CreateOrder
		require.NoError(t, json.Unmarshal(dl.Message.Payload, &c))
		seen[c.Amount]++
	}
	for i := range n {
		require.Equal(t, 1, seen[i], "command %d is handled or dead-lettered, once", i)
	}
}
