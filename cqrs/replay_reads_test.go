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
