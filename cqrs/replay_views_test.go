package cqrs_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// Ledger is a view model fed by a local event and by one of another
// service.
type Ledger struct {
	Ordered int `json:"ordered"`
	Paid    int `json:"paid"`
}

// CustomerOrdered is raised about a customer each time one of its orders is
// created.
type CustomerOrdered struct {
	Amount int `json:"amount"`
}

// CustomerTotal is a view model kept per customer, summing its orders.
type CustomerTotal struct {
	Ordered int `json:"ordered"`
	Orders  int `json:"orders"`
}

func TestReplayKeepsAViewFedByAnotherServicesEvents(t *testing.T) {
	tr := newTransport(t)
	orders := newService(t, tr, "orders", "orders", "order-events", "payment-events")
	payments := newService(t, tr, "payments", "payments")
	ledger := cqrs.NewView[Ledger](orders, "ledger")
	require.NoError(t, errors.Join(
		cqrs.Handle(cqrs.NewSaga[Order](orders, "order"), createOrder),
		cqrs.React(cqrs.NewAggregate(orders, "order"), startPayment),
		cqrs.Project(ledger, func(_ context.Context, l *Ledger, e OrderCreated, _ cqrs.Envelope) error {
			l.Ordered += e.Amount
			return nil
		}),
		cqrs.Project(ledger, func(_ context.Context, l *Ledger, e PaymentProcessed, _ cqrs.Envelope) error {
			l.Paid += e.Amount
			return nil
		}),
		cqrs.Handle(cqrs.NewSaga[Order](payments, "payment"), processPayment),
	))
	start(t, payments)
	start(t, orders)
	ctx := context.Background()
	agg := cqrs.NewAggregate(orders, "order")
	_, err := agg.Send(ctx, "o-1", CreateOrder{Customer: "ada", Amount: 5})
	require.NoError(t, err)
	eventually(t, func() bool {
		l, _, err := ledger.Get(ctx, "o-1")
		return err == nil && l == Ledger{Ordered: 5, Paid: 5}
	}, "the payments service paid the order")

	report, err := agg.Replay(ctx, "o-1")
	require.NoError(t, err)
	assert.Equal(t, cqrs.ReplayReport{Commands: 2, Handled: 2, Skipped: 2, ViewsKept: []string{"ledger/o-1"}}, report)
	l, _, err := ledger.Get(ctx, "o-1")
	require.NoError(t, err)
	assert.Equal(t, Ledger{Ordered: 5, Paid: 5}, l, "the payment raised by the payments service is kept")
	order, _, err := cqrs.NewSaga[Order](orders, "order").Load(ctx, "o-1")
	require.NoError(t, err)
	assert.Equal(t, Order{Customer: "ada", Amount: 5, Commands: 1}, order, "the saga state is rebuilt")
}

func TestReplayKeepsAViewOfAnotherEntityAndRebuildsTheEntitysOwn(t *testing.T) {
	views := cqrs.NewMemoryStore()
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Transport: newTransport(t),
		Listen: []string{"orders", "order-events"}, ViewStore: views})
	require.NoError(t, err)
	registerOrderTypes(t, svc)
	require.NoError(t, cqrs.RegisterEvent[CustomerOrdered](svc, "orders.CustomerOrdered", "order-events"))
	totals := cqrs.NewView[CustomerTotal](svc, "customer-totals")
	summary := cqrs.NewView[Summary](svc, "order-summary")
	require.NoError(t, errors.Join(
		cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), func(ctx context.Context, o *Order, c CreateOrder, env cqrs.Envelope) ([]any, error) {
			o.Customer, o.Amount = c.Customer, c.Amount
			if _, err := svc.EventQueue().Raise(ctx, c.Customer, CustomerOrdered{Amount: c.Amount}); err != nil {
				return nil, err
			}
			return []any{OrderCreated{OrderID: env.EntityID, Amount: c.Amount}}, nil
		}),
		cqrs.Project(totals, func(_ context.Context, m *CustomerTotal, e CustomerOrdered, _ cqrs.Envelope) error {
			m.Ordered += e.Amount
			m.Orders++
			return nil
		}),
		cqrs.Project(summary, projectCreated),
	))
	start(t, svc)
	ctx := context.Background()
	agg := cqrs.NewAggregate(svc, "order")
	for id, amount := range map[string]int{"o-1": 5, "o-2": 3} {
		_, err = agg.Send(ctx, id, CreateOrder{Customer: "ada", Amount: amount})
		require.NoError(t, err)
	}
	eventually(t, func() bool {
		m, _, err := totals.Get(ctx, "ada")
		return err == nil && m.Orders == 2
	}, "both orders reached the customer's total")
	doc, err := views.Load(ctx, "order-summary", "o-1")
	require.NoError(t, err)
	require.NoError(t, views.Save(ctx, "order-summary", "o-1", []byte(`{"amount":99}`), doc.Version), "a damaged summary the replay repairs")

	report, err := agg.Replay(ctx, "o-1")
	require.NoError(t, err)
	assert.Equal(t, []string{"customer-totals/ada"}, report.ViewsKept)
	m, _, err := totals.Get(ctx, "ada")
	require.NoError(t, err)
	assert.Equal(t, CustomerTotal{Ordered: 8, Orders: 2}, m, "the other order's contribution is kept")
	s, _, err := summary.Get(ctx, "o-1")
	require.NoError(t, err)
	assert.Equal(t, Summary{Amount: 5, Events: 1}, s, "the entity's own view of local events is rebuilt")
}
