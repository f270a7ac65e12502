package cqrs_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

type CreateOrder struct {
	Customer string `json:"customer"`
	Amount   int    `json:"amount"`
}

type ProcessPayment struct {
	Amount int `json:"amount"`
}

type OrderCreated struct {
	OrderID string `json:"orderId"`
	Amount  int    `json:"amount"`
}

type PaymentProcessed struct {
	OrderID string `json:"orderId"`
	Amount  int    `json:"amount"`
}

type Order struct {
	Customer string `json:"customer"`
	Amount   int    `json:"amount"`
	Paid     bool   `json:"paid"`
	Commands int    `json:"commands"`
}

type Summary struct {
	Amount int  `json:"amount"`
	Paid   bool `json:"paid"`
	Events int  `json:"events"`
}

// orderApp is the orders domain wired on one service.
type orderApp struct {
	svc       *cqrs.Service
	transport *cqrs.ChannelTransport
	agg       *cqrs.Aggregate
	orders    *cqrs.Saga[Order]
	view      *cqrs.View[Summary]
	store     *cqrs.MemoryCommandStore
}

func newTransport(t testing.TB) *cqrs.ChannelTransport {
	t.Helper()
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{RedeliveryDelay: time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	return tr
}

func registerOrderTypes(t testing.TB, svc *cqrs.Service) {
	t.Helper()
	require.NoError(t, errors.Join(
		cqrs.RegisterCommand[CreateOrder](svc, "orders.CreateOrder", "orders"),
		cqrs.RegisterCommand[ProcessPayment](svc, "payments.ProcessPayment", "payments"),
		cqrs.RegisterEvent[OrderCreated](svc, "orders.OrderCreated", "order-events"),
		cqrs.RegisterEvent[PaymentProcessed](svc, "payments.PaymentProcessed", "payment-events"),
	))
}

// newOrderApp wires the whole flow in one service: CreateOrder → order saga
// → OrderCreated → aggregate sends ProcessPayment → payment saga →
// PaymentProcessed → view.
func newOrderApp(t testing.TB, cfg cqrs.ServiceConfig) *orderApp {
	t.Helper()
	app := &orderApp{transport: newTransport(t), store: cqrs.NewMemoryCommandStore()}
	if cfg.Name == "" {
		cfg.Name = "orders"
	}
	if cfg.Transport == nil {
		cfg.Transport = app.transport
	}
	if cfg.CommandStore == nil {
		cfg.CommandStore = app.store
	}
	cfg.Listen = []string{"orders", "payments", "order-events", "payment-events"}
	svc, err := cqrs.NewService(cfg)
	require.NoError(t, err)
	registerOrderTypes(t, svc)
	app.svc = svc
	app.agg = cqrs.NewAggregate(svc, "order")
	app.orders = cqrs.NewSaga[Order](svc, "order")
	app.view = cqrs.NewView[Summary](svc, "order-summary")
	require.NoError(t, errors.Join(
		cqrs.Handle(app.orders, createOrder),
		cqrs.Handle(app.orders, processPayment),
		cqrs.React(app.agg, startPayment),
		cqrs.Project(app.view, projectCreated),
		cqrs.Project(app.view, projectPaid),
	))
	return app
}

func (a *orderApp) start(t *testing.T) {
	t.Helper()
	require.NoError(t, a.svc.Start(context.Background()))
	t.Cleanup(func() { require.NoError(t, a.svc.Close()) })
}

func createOrder(_ context.Context, o *Order, c CreateOrder, env cqrs.Envelope) ([]any, error) {
	o.Customer, o.Amount = c.Customer, c.Amount
	o.Commands++
	return []any{OrderCreated{OrderID: env.EntityID, Amount: c.Amount}}, nil
}

func processPayment(_ context.Context, o *Order, c ProcessPayment, env cqrs.Envelope) ([]any, error) {
	o.Paid = true
	o.Commands++
	return []any{&PaymentProcessed{OrderID: env.EntityID, Amount: c.Amount}}, nil
}

func startPayment(ctx context.Context, a *cqrs.Aggregate, e OrderCreated, _ cqrs.Envelope) error {
	_, err := a.Send(ctx, e.OrderID, ProcessPayment{Amount: e.Amount})
	return err
}

func projectCreated(_ context.Context, s *Summary, e OrderCreated, _ cqrs.Envelope) error {
	s.Amount += e.Amount
	s.Events++
	return nil
}

func projectPaid(_ context.Context, s *Summary, _ PaymentProcessed, _ cqrs.Envelope) error {
	s.Paid = true
	s.Events++
	return nil
}

// eventually polls cond until it holds or the test's patience runs out.
func eventually(t *testing.T, cond func() bool, msg string) {
	t.Helper()
	require.Eventually(t, cond, 10*time.Second, 5*time.Millisecond, msg)
}

// recorder collects values from concurrent handlers.
type recorder[T any] struct {
	mu   sync.Mutex
	vals []T
}

func (r *recorder[T]) add(v T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.vals = append(r.vals, v)
}

func (r *recorder[T]) all() []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]T(nil), r.vals...)
}
