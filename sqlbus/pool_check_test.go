package sqlbus_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// A pool capped (DB.SetMaxOpenConns) below one connection per subscription
// plus one for the handlers wedges: Start refuses it with ErrInvalidConfig
// naming MaxOpenConns, the cap, the need and why. A subscription closed
// frees its count; an uncapped pool (0) is never refused.
func TestStartRefusesAPoolTooSmallForTheSubscriptions(t *testing.T) {
	f := &sqldbtest.DB{}
	db := f.Open(t)
	tr, err := sqlbus.NewTransport(sqlbus.Config{DB: db, Dialect: sourceflow.Postgres})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	require.NoError(t, tr.Bind(context.Background(), sourceflow.Binding{Service: "billing"}))

	db.SetMaxOpenConns(1)
	_, err = tr.Subscriber("orders")
	require.ErrorIs(t, err, sqlbus.ErrInvalidConfig)
	assert.ErrorContains(t, err, `Config.DB allows 1 open connections (MaxOpenConns), and subscribing service "billing" to "orders" needs at least 2: `+
		"one per subscription of the transport (1 with this one), which each hold theirs while their handlers run, "+
		"plus one for what the handlers publish and store; raise it with DB.SetMaxOpenConns")

	db.SetMaxOpenConns(2)
	first, err := tr.Subscriber("orders")
	require.NoError(t, err)
	_, err = tr.Subscriber("payments")
	require.ErrorContains(t, err, "needs at least 3", "the second subscription counts the first")
	require.NoError(t, first.Close())
	require.NoError(t, first.Close())
	second, err := tr.Subscriber("payments")
	require.NoError(t, err, "a closed subscription is counted out, once")
	require.NoError(t, second.Close())

	db.SetMaxOpenConns(0)
	for _, dest := range []string{"a", "b", "c"} {
		sub, err := tr.Subscriber(dest)
		require.NoError(t, err, "uncapped pool")
		t.Cleanup(func() { _ = sub.Close() })
	}
}

// A service's Start fails with the refusal, before any statement.
func TestStartOnAPoolOfOneFailsNamingMaxOpenConns(t *testing.T) {
	f := &sqldbtest.DB{}
	db := f.Open(t)
	db.SetMaxOpenConns(1)
	tr, err := sqlbus.NewTransport(sqlbus.Config{DB: db, Dialect: sourceflow.Postgres})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "billing", Transport: tr, Listen: []string{"orders"}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	type placeOrder struct{}
	type order struct{}
	require.NoError(t, cqrs.RegisterCommand[placeOrder](svc, "orders.PlaceOrder", "orders"))
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[order](svc, "order"), func(context.Context, *order, placeOrder, cqrs.Envelope) ([]any, error) {
		return nil, nil
	}))
	err = svc.Start(context.Background())
	require.ErrorIs(t, err, sqlbus.ErrInvalidConfig)
	assert.ErrorContains(t, err, "MaxOpenConns")
	assert.Empty(t, f.Ran(""), "statements run before the pool was refused")
}
