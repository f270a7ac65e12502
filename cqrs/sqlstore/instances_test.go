package sqlstore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
)

// instance is one instance of a service on its own in-process transport,
// sharing the stores of st.
type instance struct {
	svc     *cqrs.Service
	saga    *cqrs.Saga[txOrder]
	summary *cqrs.View[txSummary]
	agg     *cqrs.Aggregate
}

func newInstance(t *testing.T, st *sqlstore.Store) *instance {
	t.Helper()
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, tr.Close()) })
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Transport: tr, Listen: []string{"orders", "order-events"},
		CommandStore: st.Commands(), EntityStore: st.Entities(), ViewStore: st.Views()})
	require.NoError(t, err)
	in := &instance{svc: svc, saga: cqrs.NewSaga[txOrder](svc, "order"), summary: cqrs.NewView[txSummary](svc, "summary"),
		agg: cqrs.NewAggregate(svc, "order")}
	require.NoError(t, errors.Join(
		cqrs.RegisterCommand[txCreate](svc, "orders.CreateOrder", "orders"),
		cqrs.RegisterEvent[txCreated](svc, "orders.OrderCreated", "order-events"),
		cqrs.Handle(in.saga, func(_ context.Context, o *txOrder, c txCreate, _ cqrs.Envelope) ([]any, error) {
			o.Amount += c.Amount
			o.Commands++
			return []any{txCreated(c)}, nil
		}),
		cqrs.Project(in.summary, func(_ context.Context, s *txSummary, e txCreated, _ cqrs.Envelope) error {
			s.Amount += e.Amount
			s.Events++
			return nil
		}),
	))
	require.NoError(t, svc.Start(context.Background()))
	t.Cleanup(func() { assert.NoError(t, svc.Close()) })
	return in
}

// TestEveryInstanceReadsTheLastCommittedState: two instances share the
// stores; what one handles, the other loads, continues and numbers on.
func TestEveryInstanceReadsTheLastCommittedState(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		st := d.open(t, sqlstore.Config{})
		a, b := newInstance(t, st), newInstance(t, st)
		ctx := context.Background()
		first, err := a.agg.Send(ctx, "e-1", txCreate{Amount: 2})
		require.NoError(t, err)
		o, found, err := b.saga.Load(ctx, "e-1")
		require.NoError(t, err)
		require.True(t, found, "b sees what a committed")
		assert.Equal(t, txOrder{Amount: 2, Commands: 1}, o)

		second, err := b.agg.Send(ctx, "e-1", txCreate{Amount: 3})
		require.NoError(t, err)
		assert.Equal(t, []int64{1, 2}, []int64{first.Sequence, second.Sequence}, "one sequence across instances")
		for _, in := range []*instance{a, b} {
			o, _, err := in.saga.Load(ctx, "e-1")
			require.NoError(t, err)
			assert.Equal(t, txOrder{Amount: 5, Commands: 2}, o)
			s, _, err := in.summary.Get(ctx, "e-1")
			require.NoError(t, err)
			assert.Equal(t, txSummary{Amount: 5, Events: 2}, s)
		}
	})
}
