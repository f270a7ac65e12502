package main

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// CreateOrder asks the order saga to add an order to an entity (a customer
// account). OrderNo is unique across every order.
type CreateOrder struct {
	OrderNo  int64  `json:"order_no"`
	Customer string `json:"customer"`
	Amount   int64  `json:"amount"`
}

// ProcessPayment asks the payment saga to take the payment for one order.
type ProcessPayment struct {
	OrderNo int64 `json:"order_no"`
	Amount  int64 `json:"amount"`
}

// OrderCreated is raised when an order was added.
type OrderCreated struct {
	OrderNo  int64  `json:"order_no"`
	Customer string `json:"customer"`
	Amount   int64  `json:"amount"`
}

// PaymentProcessed is raised when an order's payment was taken.
type PaymentProcessed struct {
	OrderNo int64 `json:"order_no"`
	Amount  int64 `json:"amount"`
}

// Order is the order saga's state of one entity: how many orders it has and
// their total.
type Order struct {
	Customer string `json:"customer"`
	Orders   int64  `json:"orders"`
	Amount   int64  `json:"amount"`
}

// Payment is the payment saga's state of one entity: the payments taken,
// their total, and the order numbers paid (sorted), so that an order is
// charged once however often its ProcessPayment arrives.
type Payment struct {
	Payments int64   `json:"payments"`
	Amount   int64   `json:"amount"`
	Paid     []int64 `json:"paid"`
	// Refused counts ProcessPayment commands for orders already paid.
	Refused int64 `json:"refused"`
}

// OrderSummary is the read model of one entity: orders created and payments
// processed, with their totals.
type OrderSummary struct {
	Customer string `json:"customer"`
	Orders   int64  `json:"orders"`
	Ordered  int64  `json:"ordered"`
	Payments int64  `json:"payments"`
	Paid     int64  `json:"paid"`
}

// registerTypes registers the flow's four message types on a service.
func registerTypes(svc *cqrs.Service, d destinations) error {
	return errors.Join(
		cqrs.RegisterCommand[CreateOrder](svc, "orders.CreateOrder", d.ordersQueue),
		cqrs.RegisterCommand[ProcessPayment](svc, "payments.ProcessPayment", d.paymentsQueue),
		cqrs.RegisterEvent[OrderCreated](svc, "orders.OrderCreated", d.orderEvents),
		cqrs.RegisterEvent[PaymentProcessed](svc, "payments.PaymentProcessed", d.paymentEvents),
	)
}

// ordersService handles CreateOrder, reacts to OrderCreated by sending
// ProcessPayment, and keeps the order-summary view.
type ordersService struct {
	svc     *cqrs.Service
	orders  *cqrs.Aggregate
	summary *cqrs.View[OrderSummary]
}

func newOrdersService(cfg cqrs.ServiceConfig, d destinations) (*ordersService, error) {
	cfg.Name = "orders"
	cfg.Listen = d.ordersListen()
	svc, err := cqrs.NewService(cfg)
	if err != nil {
		return nil, err
	}
	s := &ordersService{svc: svc, orders: cqrs.NewAggregate(svc, "order"), summary: newSummaryView(svc)}
	err = errors.Join(
		registerTypes(svc, d),
		cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), createOrder),
		cqrs.React(s.orders, requestPayment),
		cqrs.Project(s.summary, summarizeCreated),
		cqrs.Project(s.summary, summarizePaid),
	)
	return s, err
}

// newSummaryView returns the order-summary view of a service.
func newSummaryView(svc *cqrs.Service) *cqrs.View[OrderSummary] {
	return cqrs.NewView[OrderSummary](svc, "order-summary")
}

// newPaymentsService handles ProcessPayment.
func newPaymentsService(cfg cqrs.ServiceConfig, d destinations) (*cqrs.Service, error) {
	cfg.Name = "payments"
	cfg.Listen = d.paymentsListen()
	svc, err := cqrs.NewService(cfg)
	if err != nil {
		return nil, err
	}
	return svc, errors.Join(registerTypes(svc, d), cqrs.Handle(cqrs.NewSaga[Payment](svc, "payment"), processPayment))
}

// createOrder adds an order of a positive amount to the entity's total;
// an amount that is not positive, or that would overflow the total, is
// refused permanently and changes nothing.
func createOrder(_ context.Context, o *Order, c CreateOrder, _ cqrs.Envelope) ([]any, error) {
	total, err := addAmount(fmt.Sprintf("order %d", c.OrderNo), o.Amount, c.Amount)
	if err != nil {
		return nil, err
	}
	o.Customer = c.Customer
	o.Orders++
	o.Amount = total
	return []any{OrderCreated(c)}, nil
}

func requestPayment(ctx context.Context, a *cqrs.Aggregate, e OrderCreated, env cqrs.Envelope) error {
	_, err := a.Send(ctx, env.EntityID, ProcessPayment{OrderNo: e.OrderNo, Amount: e.Amount})
	return err
}

// processPayment charges an order once: a ProcessPayment for an order number
// already paid changes nothing but the refusal count and raises no event.
// An amount that is not positive or would overflow the total, and a new
// order past maxPaidOrders, are refused permanently and change nothing.
func processPayment(_ context.Context, p *Payment, c ProcessPayment, _ cqrs.Envelope) ([]any, error) {
	total, err := addAmount(fmt.Sprintf("payment of order %d", c.OrderNo), p.Amount, c.Amount)
	if err != nil {
		return nil, err
	}
	i, paid := slices.BinarySearch(p.Paid, c.OrderNo)
	if paid {
		p.Refused++
		return nil, nil
	}
	if err := checkPaidRoom(p, c.OrderNo); err != nil {
		return nil, err
	}
	p.Paid = slices.Insert(p.Paid, i, c.OrderNo)
	p.Payments++
	p.Amount = total
	return []any{PaymentProcessed(c)}, nil
}

// summarizeCreated and summarizePaid add an event to the summary; an
// amount the sagas would have refused (an event not of theirs) is refused
// permanently too and changes nothing.
func summarizeCreated(_ context.Context, s *OrderSummary, e OrderCreated, _ cqrs.Envelope) error {
	total, err := addAmount(fmt.Sprintf("order %d", e.OrderNo), s.Ordered, e.Amount)
	if err != nil {
		return err
	}
	s.Customer = e.Customer
	s.Orders++
	s.Ordered = total
	return nil
}

func summarizePaid(_ context.Context, s *OrderSummary, e PaymentProcessed, _ cqrs.Envelope) error {
	total, err := addAmount(fmt.Sprintf("payment of order %d", e.OrderNo), s.Paid, e.Amount)
	if err != nil {
		return err
	}
	s.Payments++
	s.Paid = total
	return nil
}
