package cqrs_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

type (
	nameAccount   struct{ Balance int }
	nameShipment  struct{ Shipped bool }
	nameOpen      struct{ Balance int }
	nameDeposit   struct{ Amount int }
	nameShip      struct{}
	nameOpened    struct{ Balance int }
	nameShipped   struct{}
	nameDeposited struct{ Amount int }
)

// newNamesService returns a service, not started, with the commands and
// events of the name tests registered and listened to.
func newNamesService(t *testing.T) *cqrs.Service {
	t.Helper()
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "names", Transport: newTransport(t), Listen: []string{"entities", "entity-events"}})
	require.NoError(t, err)
	require.NoError(t, errors.Join(
		cqrs.RegisterCommand[nameOpen](svc, "names.Open", "entities"),
		cqrs.RegisterCommand[nameDeposit](svc, "names.Deposit", "entities"),
		cqrs.RegisterCommand[nameShip](svc, "names.Ship", "entities"),
		cqrs.RegisterEvent[nameOpened](svc, "names.Opened", "entity-events"),
		cqrs.RegisterEvent[nameShipped](svc, "names.Shipped", "entity-events"),
		cqrs.RegisterEvent[nameDeposited](svc, "names.Deposited", "entity-events"),
	))
	return svc
}

func openAccount(_ context.Context, a *nameAccount, c nameOpen, _ cqrs.Envelope) ([]any, error) {
	a.Balance = c.Balance
	return []any{nameOpened(c)}, nil
}

func deposit(_ context.Context, a *nameAccount, c nameDeposit, _ cqrs.Envelope) ([]any, error) {
	a.Balance += c.Amount
	return nil, nil
}

func ship(_ context.Context, s *nameShipment, _ nameShip, _ cqrs.Envelope) ([]any, error) {
	s.Shipped = true
	return []any{nameShipped{}}, nil
}

// Two sagas of one service named alike would keep their entities under
// the same key of the EntityStore, each overwriting the other's state: the
// second is refused as it registers a handler, while the first keeps
// registering handlers for all its commands.
func TestASagaNameUsedByTwoSagasIsRefused(t *testing.T) {
	svc := newNamesService(t)
	accounts := cqrs.NewSaga[nameAccount](svc, "entity")
	require.NoError(t, cqrs.Handle(accounts, openAccount))
	require.NoError(t, cqrs.Handle(accounts, deposit), "one saga handles several commands")

	err := cqrs.Handle(cqrs.NewSaga[nameShipment](svc, "entity"), ship)
	require.ErrorIs(t, err, cqrs.ErrDuplicateHandler)
	assert.Contains(t, err.Error(), `another saga (state cqrs_test.nameAccount) is named "entity"; the name keys a saga's entities in the EntityStore, so a saga of state cqrs_test.nameShipment cannot share it`)
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[nameShipment](svc, "shipment"), ship), "under its own name")

	require.NoError(t, cqrs.Project(cqrs.NewView[nameAccount](svc, "entity"),
		func(_ context.Context, m *nameAccount, ev nameOpened, _ cqrs.Envelope) error {
			m.Balance = ev.Balance
			return nil
		}), "a view may be named like a saga: its models are in the ViewStore")
	start(t, svc)

	ctx := context.Background()
	for _, cmd := range []any{nameOpen{Balance: 10}, nameShip{}, nameDeposit{Amount: 5}} {
		_, err := svc.CommandBus().Send(ctx, "e-1", cmd)
		require.NoError(t, err)
	}
	reader := cqrs.NewSaga[nameAccount](svc, "entity") // handles nothing: reads only
	account, found, err := reader.Load(ctx, "e-1")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, 15, account.Balance, "shipping the entity left its account alone")
}

// Two views of one service named alike would keep their models under the
// same key of the ViewStore: the second is refused as it registers a
// projection, while the first keeps registering projections.
func TestAViewNameUsedByTwoViewsIsRefused(t *testing.T) {
	svc := newNamesService(t)
	balances := cqrs.NewView[nameAccount](svc, "entity-card")
	require.NoError(t, cqrs.Project(balances, func(_ context.Context, m *nameAccount, ev nameOpened, _ cqrs.Envelope) error {
		m.Balance = ev.Balance
		return nil
	}))
	require.NoError(t, cqrs.Project(balances, func(_ context.Context, m *nameAccount, ev nameDeposited, _ cqrs.Envelope) error {
		m.Balance += ev.Amount
		return nil
	}), "one view projects several events")

	shipments := cqrs.NewView[nameShipment](svc, "entity-card")
	err := cqrs.Project(shipments, func(_ context.Context, m *nameShipment, _ nameShipped, _ cqrs.Envelope) error {
		m.Shipped = true
		return nil
	})
	require.ErrorIs(t, err, cqrs.ErrDuplicateHandler)
	assert.Contains(t, err.Error(), `another view (model cqrs_test.nameAccount) is named "entity-card"`)
}

// Sagas (views) of one name and one state (model) type keep the same
// documents alike: those of one saga (view), whichever NewSaga (NewView)
// call returned the value a handler is registered on.
func TestASagaOrViewNameIsSharedByValuesOfOneType(t *testing.T) {
	svc := newNamesService(t)
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[nameAccount](svc, "entity"), openAccount))
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[nameAccount](svc, "entity"), deposit), "another value of the same saga")
	require.NoError(t, cqrs.Project(cqrs.NewView[nameAccount](svc, "entity-card"),
		func(_ context.Context, m *nameAccount, ev nameOpened, _ cqrs.Envelope) error {
			m.Balance = ev.Balance
			return nil
		}))
	require.NoError(t, cqrs.Project(cqrs.NewView[nameAccount](svc, "entity-card"),
		func(_ context.Context, m *nameAccount, ev nameDeposited, _ cqrs.Envelope) error {
			m.Balance += ev.Amount
			return nil
		}), "another value of the same view")
	start(t, svc)

	ctx := context.Background()
	for _, cmd := range []any{nameOpen{Balance: 10}, nameDeposit{Amount: 5}} {
		_, err := svc.CommandBus().Send(ctx, "e-1", cmd)
		require.NoError(t, err)
	}
	account, found, err := cqrs.NewSaga[nameAccount](svc, "entity").Load(ctx, "e-1")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, 15, account.Balance, "both handlers applied to the one entity")
}

// A registration that fails claims its name only while it is under way:
// the name is free again for a saga (view) of another type, while a name
// a registration holds stays claimed whatever later ones of its type do.
func TestAFailedRegistrationGivesItsNameBack(t *testing.T) {
	svc := newNamesService(t)
	type unregistered struct{}
	failing := func(_ context.Context, _ *nameShipment, _ unregistered, _ cqrs.Envelope) ([]any, error) {
		return nil, nil
	}
	require.Error(t, cqrs.Handle(cqrs.NewSaga[nameShipment](svc, "entity"), failing), "the command type is not registered")
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[nameAccount](svc, "entity"), openAccount), "the failed registration gave the name back")

	err := cqrs.Handle(cqrs.NewSaga[nameAccount](svc, "entity"), openAccount)
	require.ErrorIs(t, err, cqrs.ErrDuplicateHandler, "the command has a handler")
	require.ErrorIs(t, cqrs.Handle(cqrs.NewSaga[nameShipment](svc, "entity"), ship), cqrs.ErrDuplicateHandler,
		"a later failure of the holder's type leaves the holder's claim")

	type unregisteredEvent struct{}
	require.Error(t, cqrs.Project(cqrs.NewView[nameShipment](svc, "entity-card"),
		func(_ context.Context, _ *nameShipment, _ unregisteredEvent, _ cqrs.Envelope) error { return nil }))
	require.NoError(t, cqrs.Project(cqrs.NewView[nameAccount](svc, "entity-card"),
		func(_ context.Context, m *nameAccount, ev nameOpened, _ cqrs.Envelope) error {
			m.Balance = ev.Balance
			return nil
		}), "the failed projection gave the view's name back")
}
