package cqrs_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// GrantCredit grants a customer a credit limit.
type GrantCredit struct {
	Credit int `json:"credit"`
}

// CreditLine is the state of a customer's credit saga.
type CreditLine struct {
	Credit int `json:"credit"`
}

// TestReplayReadsOtherEntitiesFromTheStores: a handler replayed for one
// entity that reads the state of another entity (a saga's, or a view
// model) reads it from the stores, as it did live, not from the replay's
// empty ones: the rebuilt state is the one the live handling made.
func TestReplayReadsOtherEntitiesFromTheStores(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, newTransport(t), "orders", "orders", "credit", "order-events")
	require.NoError(t, cqrs.RegisterCommand[GrantCredit](svc, "credit.GrantCredit", "credit"))
	credits := cqrs.NewSaga[CreditLine](svc, "account")
	orders := cqrs.NewSaga[Order](svc, "order")
	summaries := cqrs.NewView[Summary](svc, "order-summary")
	require.NoError(t, errors.Join(
		cqrs.Handle(credits, func(_ context.Context, a *CreditLine, c GrantCredit, _ cqrs.Envelope) ([]any, error) {
			a.Credit = c.Credit
			return nil, nil
		}),
		cqrs.Handle(orders, func(ctx context.Context, o *Order, c CreateOrder, env cqrs.Envelope) ([]any, error) {
			acct, _, err := credits.Load(ctx, c.Customer)
			if err != nil {
				return nil, err
			}
			first, _, err := summaries.Get(ctx, "o-1")
			if err != nil {
				return nil, err
			}
			o.Customer, o.Amount = c.Customer, c.Amount+first.Amount
			o.Paid = acct.Credit >= c.Amount // approved on credit
			return []any{OrderCreated{OrderID: env.EntityID, Amount: c.Amount}}, nil
		}),
		cqrs.Project(summaries, projectCreated),
	))
	start(t, svc)
	agg := cqrs.NewAggregate(svc, "order")
	_, err := agg.Send(ctx, "ada", GrantCredit{Credit: 10})
	require.NoError(t, err)
	_, err = agg.Send(ctx, "o-1", CreateOrder{Customer: "ada", Amount: 5})
	require.NoError(t, err)
	_, err = agg.Send(ctx, "o-2", CreateOrder{Customer: "ada", Amount: 3})
	require.NoError(t, err)
	live, _, err := orders.Load(ctx, "o-2")
	require.NoError(t, err)
	require.Equal(t, Order{Customer: "ada", Amount: 8, Paid: true}, live)

	_, err = agg.Replay(ctx, "o-2")
	require.NoError(t, err)
	replayed, _, err := orders.Load(ctx, "o-2")
	require.NoError(t, err)
	assert.Equal(t, live, replayed, "the credit line and o-1's summary were read as the live handling read them")
}

// Payment is the state of an order's payment saga, keyed by the order id.
type Payment struct {
	Paid bool `json:"paid"`
}

// TestReplayReadsASagaTheReplayDoesNotRebuildFromTheStore: a handler
// replayed for an entity that reads another saga's state of the same id,
// one the replay does not rebuild (its commands came from another service,
// whose CommandStore holds them), reads it from the store as it did live,
// not as empty, while the state the replay rebuilds is read as rebuilt so
// far; the rebuilt state is the one the live handling made.
func TestReplayReadsASagaTheReplayDoesNotRebuildFromTheStore(t *testing.T) {
	ctx := context.Background()
	tr := newTransport(t)
	web := newService(t, tr, "web")
	worker := newService(t, tr, "worker", "orders", "payments")
	payments := cqrs.NewSaga[Payment](worker, "payment")
	orders := cqrs.NewSaga[Order](worker, "order")
	require.NoError(t, errors.Join(
		cqrs.Handle(payments, func(_ context.Context, p *Payment, _ ProcessPayment, _ cqrs.Envelope) ([]any, error) {
			p.Paid = true
			return nil, nil
		}),
		cqrs.Handle(orders, func(ctx context.Context, o *Order, c CreateOrder, env cqrs.Envelope) ([]any, error) {
			p, _, err := payments.Load(ctx, env.EntityID)
			if err != nil {
				return nil, err
			}
			prev, _, err := orders.Load(ctx, env.EntityID) // rebuilt by the replay: as it was then
			o.Customer, o.Amount, o.Paid, o.Commands = c.Customer, c.Amount, p.Paid, prev.Commands+1
			return nil, err
		}),
	))
	start(t, worker)
	start(t, web)
	_, err := cqrs.NewAggregate(web, "payment").Send(ctx, "o-1", ProcessPayment{Amount: 5})
	require.NoError(t, err)
	agg := cqrs.NewAggregate(worker, "order")
	_, err = agg.Send(ctx, "o-1", CreateOrder{Customer: "ada", Amount: 5})
	require.NoError(t, err)
	live, _, err := orders.Load(ctx, "o-1")
	require.NoError(t, err)
	require.Equal(t, Order{Customer: "ada", Amount: 5, Paid: true, Commands: 1}, live)

	_, err = agg.Replay(ctx, "o-1")
	require.NoError(t, err)
	replayed, _, err := orders.Load(ctx, "o-1")
	require.NoError(t, err)
	assert.Equal(t, live, replayed, "the payment saga was read as the live handling read it")
	paid, _, err := payments.Load(ctx, "o-1")
	require.NoError(t, err)
	assert.True(t, paid.Paid, "the payment saga the replay did not rebuild keeps its state")
}
