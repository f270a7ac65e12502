package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// Destinations of the order flow. On AWS the .fifo names are SQS FIFO queues
// and the others SNS topics; in process they are gochannel topics.
const (
	ordersQueue   = "orders.fifo"
	paymentsQueue = "payments.fifo"
	orderEvents   = "order-events"
	paymentEvents = "payment-events"
)

// CreateOrder asks the order saga to create an order.
type CreateOrder struct {
	Customer string `json:"customer"`
	Amount   int64  `json:"amount"`
}

// ProcessPayment asks the payment saga to take the payment for an order.
type ProcessPayment struct {
	Amount int64 `json:"amount"`
}

// OrderCreated is raised when an order exists.
type OrderCreated struct {
	Customer string `json:"customer"`
	Amount   int64  `json:"amount"`
}

// PaymentProcessed is raised when an order's payment was taken.
type PaymentProcessed struct {
	Amount int64 `json:"amount"`
}

// Order is the order saga's state.
type Order struct {
	Customer string `json:"customer"`
	Amount   int64  `json:"amount"`
}

// Payment is the payment saga's state.
type Payment struct {
	Amount int64 `json:"amount"`
	Paid   bool  `json:"paid"`
}

// OrderSummary is the read model of one order.
type OrderSummary struct {
	Customer string `json:"customer"`
	Amount   int64  `json:"amount"`
	Paid     bool   `json:"paid"`
}

// registerTypes registers the flow's four message types on a service.
func registerTypes(svc *cqrs.Service) error {
	return errors.Join(
		cqrs.RegisterCommand[CreateOrder](svc, "orders.CreateOrder", ordersQueue),
		cqrs.RegisterCommand[ProcessPayment](svc, "payments.ProcessPayment", paymentsQueue),
		cqrs.RegisterEvent[OrderCreated](svc, "orders.OrderCreated", orderEvents),
		cqrs.RegisterEvent[PaymentProcessed](svc, "payments.PaymentProcessed", paymentEvents),
	)
}

// ordersService handles CreateOrder, reacts to OrderCreated by sending
// ProcessPayment, and keeps the order-summary view.
type ordersService struct {
	svc     *cqrs.Service
	orders  *cqrs.Aggregate
	summary *cqrs.View[OrderSummary]
}

func newOrdersService(cfg cqrs.ServiceConfig) (*ordersService, error) {
	cfg.Name = "orders"
	cfg.Listen = []string{ordersQueue, orderEvents, paymentEvents}
	svc, err := cqrs.NewService(cfg)
	if err != nil {
		return nil, err
	}
	s := &ordersService{svc: svc, orders: cqrs.NewAggregate(svc, "order"), summary: cqrs.NewView[OrderSummary](svc, "order-summary")}
	err = errors.Join(
		registerTypes(svc),
		cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), createOrder),
		cqrs.React(s.orders, requestPayment),
		cqrs.Project(s.summary, summarizeCreated),
		cqrs.Project(s.summary, summarizePaid),
	)
	return s, err
}

// newPaymentsService handles ProcessPayment.
func newPaymentsService(cfg cqrs.ServiceConfig) (*cqrs.Service, error) {
	cfg.Name = "payments"
	cfg.Listen = []string{paymentsQueue}
	svc, err := cqrs.NewService(cfg)
	if err != nil {
		return nil, err
	}
	return svc, errors.Join(registerTypes(svc), cqrs.Handle(cqrs.NewSaga[Payment](svc, "payment"), processPayment))
}

func createOrder(_ context.Context, o *Order, c CreateOrder, _ cqrs.Envelope) ([]any, error) {
	if c.Amount <= 0 {
		return nil, fmt.Errorf("order amount %d is not positive", c.Amount)
	}
	o.Customer, o.Amount = c.Customer, c.Amount
	return []any{OrderCreated(c)}, nil
}

func requestPayment(ctx context.Context, a *cqrs.Aggregate, e OrderCreated, env cqrs.Envelope) error {
	_, err := a.Send(ctx, env.EntityID, ProcessPayment{Amount: e.Amount})
	return err
}

func processPayment(_ context.Context, p *Payment, c ProcessPayment, _ cqrs.Envelope) ([]any, error) {
	if p.Paid {
		return nil, nil
	}
	p.Amount, p.Paid = c.Amount, true
	return []any{PaymentProcessed(c)}, nil
}

func summarizeCreated(_ context.Context, s *OrderSummary, e OrderCreated, _ cqrs.Envelope) error {
	s.Customer, s.Amount = e.Customer, e.Amount
	return nil
}

func summarizePaid(_ context.Context, s *OrderSummary, _ PaymentProcessed, _ cqrs.Envelope) error {
	s.Paid = true
	return nil
}
