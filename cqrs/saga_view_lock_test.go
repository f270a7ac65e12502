package cqrs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

type (
	lockPlace   struct{ N int }
	lockPlaced  struct{ N int }
	lockState   struct{ N int }
	lockSummary struct{ N int }
)

// A saga and a view that share a name must not share per-entity locks: a
// saga handler raising an event on the synchronous transport holds its
// entity's lock while the view projects that event for the same entity.
func TestASagaAndAViewOfTheSameNameDoNotShareLocks(t *testing.T) {
	ctx := context.Background()
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "shop", Listen: []string{"orders", "order-events"}})
	require.NoError(t, err)
	view := cqrs.NewView[lockSummary](svc, "order")
	require.NoError(t, errors.Join(
		cqrs.RegisterCommand[lockPlace](svc, "shop.Place", "orders"),
		cqrs.RegisterEvent[lockPlaced](svc, "shop.Placed", "order-events"),
		cqrs.Handle(cqrs.NewSaga[lockState](svc, "order"), func(ctx context.Context, s *lockState, c lockPlace, env cqrs.Envelope) ([]any, error) {
			s.N = c.N
			_, err := svc.EventQueue().Raise(ctx, env.EntityID, lockPlaced(c))
			return nil, err
		}),
		cqrs.Project(view, func(_ context.Context, m *lockSummary, ev lockPlaced, _ cqrs.Envelope) error {
			m.N = ev.N
			return nil
		}),
	))
	require.NoError(t, svc.Start(ctx))
	t.Cleanup(func() { go svc.Close() })

	done := make(chan error, 1)
	go func() {
		_, err := cqrs.NewAggregate(svc, "order").Send(ctx, "o-1", lockPlace{N: 7})
		done <- err
	}()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("Send never returned: the view waits on the saga's lock of the same name and entity")
	}
	m, found, err := view.Get(ctx, "o-1")
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, 7, m.N)
}
