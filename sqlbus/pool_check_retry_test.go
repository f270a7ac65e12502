package sqlbus_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// A Start refused for a pool too small, retried once the pool is raised,
// counts only the subscriptions it holds: the ones the failed Start opened
// were closed and counted out.
func TestStartRetriedAfterAPoolRefusalCountsOnlyItsSubscriptions(t *testing.T) {
	f := &sqldbtest.DB{}
	db := f.Open(t)
	db.SetMaxOpenConns(2)
	tr, err := sqlbus.NewTransport(sqlbus.Config{DB: db, Dialect: sourceflow.Postgres})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "billing", Transport: tr, Listen: []string{"orders", "payments"}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	type placeOrder struct{}
	type pay struct{}
	type order struct{}
	require.NoError(t, cqrs.RegisterCommand[placeOrder](svc, "orders.PlaceOrder", "orders"))
	require.NoError(t, cqrs.RegisterCommand[pay](svc, "payments.Pay", "payments"))
	saga := cqrs.NewSaga[order](svc, "order")
	require.NoError(t, cqrs.Handle(saga, func(context.Context, *order, placeOrder, cqrs.Envelope) ([]any, error) { return nil, nil }))
	require.NoError(t, cqrs.Handle(saga, func(context.Context, *order, pay, cqrs.Envelope) ([]any, error) { return nil, nil }))

	err = svc.Start(context.Background())
	require.ErrorIs(t, err, sqlbus.ErrInvalidConfig)
	require.ErrorContains(t, err, "needs at least 3")

	db.SetMaxOpenConns(3)
	// The transport's count, seen through a subscription of its own: with
	// nothing left open it needs 2, which a pool of 3 allows, and a second
	// one 3.
	a, err := tr.Subscriber("a")
	require.NoError(t, err, "the failed Start's subscriptions were counted out")
	t.Cleanup(func() { _ = a.Close() })
	b, err := tr.Subscriber("b")
	require.NoError(t, err, "the failed Start's subscriptions were counted out")
	t.Cleanup(func() { _ = b.Close() })
}
