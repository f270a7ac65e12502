//go:build integration

package integration

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/middleware"
)

// payFlow is two services in one process, each with its own awsbus
// transport: orders sends PayOrder over SQS to payments, whose saga raises
// OrderPaid on SNS; both services receive it through their own event queues;
// the orders aggregate reacts by sending ConfirmOrder over SQS to its own
// saga.
type payFlow struct {
	orders, payments        *cqrs.Service
	ordersTr, paymentsTr    *awsbus.Transport
	agg                     *cqrs.Aggregate
	paymentSaga             *cqrs.Saga[Payment]
	orderSaga               *cqrs.Saga[OrderState]
	summary, ledgerView     *cqrs.View[OrderSummary]
	runs                    *ledger
	payQ, orderQ, paidTopic string
}

// Handler names recorded in the ledger.
const (
	hPay       = "payment-saga/PayOrder"
	hLedger    = "payment-ledger/OrderPaid"
	hSummary   = "order-summary/OrderPaid"
	hReact     = "order-aggregate/OrderPaid"
	hConfirm   = "order-saga/ConfirmOrder"
	hDelivery  = "delivery"
	svcOrders  = "orders"
	svcPayment = "payments"
)

// newPayFlow wires and starts the two services; names end in suffix ("" or
// ".fifo"). tune, when not nil, adjusts each ServiceConfig before the service
// is built (pipelines, hooks).
func newPayFlow(t *testing.T, suffix string, tune func(*cqrs.ServiceConfig)) *payFlow {
	t.Helper()
	f := &payFlow{runs: &ledger{},
		payQ: uniqueName("m-pay", suffix), orderQ: uniqueName("m-ord", suffix), paidTopic: uniqueName("m-paid", suffix)}
	config := func(name string, listen ...string) cqrs.ServiceConfig {
		c := cqrs.ServiceConfig{Name: name, Listen: listen,
			HandlerMiddleware: []message.HandlerMiddleware{deliveries(name, f.runs), memoryIdempotency(t)}}
		if tune != nil {
			tune(&c)
		}
		return c
	}
	f.payments, f.paymentsTr = modelService(t, awsbus.Config{}, config(svcPayment, f.payQ, f.paidTopic))
	f.orders, f.ordersTr = modelService(t, awsbus.Config{}, config(svcOrders, f.orderQ, f.paidTopic))
	for _, svc := range []*cqrs.Service{f.orders, f.payments} {
		require.NoError(t, cqrs.RegisterCommand[PayOrder](svc, "model.PayOrder", f.payQ))
		require.NoError(t, cqrs.RegisterCommand[ConfirmOrder](svc, "model.ConfirmOrder", f.orderQ))
		require.NoError(t, cqrs.RegisterEvent[OrderPaid](svc, "model.OrderPaid", f.paidTopic))
	}
	f.wirePayments(t)
	f.wireOrders(t)
	startModel(t, f.payments, f.orders)
	return f
}

func (f *payFlow) wirePayments(t *testing.T) {
	t.Helper()
	f.paymentSaga = cqrs.NewSaga[Payment](f.payments, "payment")
	require.NoError(t, cqrs.Handle(f.paymentSaga, func(_ context.Context, s *Payment, c PayOrder, env cqrs.Envelope) ([]any, error) {
		f.runs.add(svcPayment, hPay, env)
		s.Amount += c.Amount
		s.Paid = true
		s.Commands++
		return []any{OrderPaid(c)}, nil
	}))
	f.ledgerView = cqrs.NewView[OrderSummary](f.payments, "payment-ledger")
	require.NoError(t, cqrs.Project(f.ledgerView, func(_ context.Context, m *OrderSummary, e OrderPaid, env cqrs.Envelope) error {
		f.runs.add(svcPayment, hLedger, env)
		m.Amount += e.Amount
		m.Events++
		return nil
	}))
}

func (f *payFlow) wireOrders(t *testing.T) {
	t.Helper()
	f.summary = cqrs.NewView[OrderSummary](f.orders, "order-summary")
	require.NoError(t, cqrs.Project(f.summary, func(_ context.Context, m *OrderSummary, e OrderPaid, env cqrs.Envelope) error {
		f.runs.add(svcOrders, hSummary, env)
		m.Amount, m.Paid = m.Amount+e.Amount, true
		m.Events++
		return nil
	}))
	f.agg = cqrs.NewAggregate(f.orders, "order")
	require.NoError(t, cqrs.React(f.agg, func(ctx context.Context, a *cqrs.Aggregate, _ OrderPaid, env cqrs.Envelope) error {
		f.runs.add(svcOrders, hReact, env)
		_, err := a.Send(ctx, env.EntityID, ConfirmOrder{})
		return err
	}))
	f.orderSaga = cqrs.NewSaga[OrderState](f.orders, "order")
	require.NoError(t, cqrs.Handle(f.orderSaga, func(_ context.Context, s *OrderState, _ ConfirmOrder, env cqrs.Envelope) ([]any, error) {
		f.runs.add(svcOrders, hConfirm, env)
		s.Confirmed = true
		return nil, nil
	}))
}

func TestModelCommandSagaEventViewAcrossServices(t *testing.T) {
	correlate := func(c *cqrs.ServiceConfig) {
		c.HandlerMiddleware = append([]message.HandlerMiddleware{middleware.Correlation}, c.HandlerMiddleware...)
		c.PublisherDecorators = append(c.PublisherDecorators, middleware.CorrelatePublisher)
	}
	for _, tc := range []struct {
		name, suffix string
		tune         func(*cqrs.ServiceConfig)
	}{{"standard", "", nil}, {"fifo", ".fifo", nil}, {"standard with the correlation middleware", "", correlate}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			testPayFlow(t, newPayFlow(t, tc.suffix, tc.tune))
		})
	}
}

func testPayFlow(t *testing.T, f *payFlow) {
	ctx := context.Background()
	eps := f.ordersTr.Endpoints()
	peps := f.paymentsTr.Endpoints()
	require.NotEmpty(t, eps[f.paidTopic].QueueURL)
	assert.NotEqual(t, eps[f.paidTopic].QueueURL, peps[f.paidTopic].QueueURL, "each subscribing service has its own event queue")
	assert.Equal(t, eps[f.paidTopic].TopicARN, peps[f.paidTopic].TopicARN)

	corr := "corr-" + uniqueName("pay", "")
	cmd, err := f.agg.Send(sourceflow.ContextWithCorrelationID(ctx, corr), "order-1", PayOrder{Amount: 42})
	require.NoError(t, err)
	require.Equal(t, int64(1), cmd.Sequence)

	require.Eventually(t, func() bool {
		return len(f.runs.byHandler(svcOrders, hConfirm)) >= 1 && len(f.runs.byHandler(svcPayment, hLedger)) >= 1
	},
		snsPatience, 100*time.Millisecond, "the flow reaches the orders saga and the payments view")
	// SQS and SNS deliver at least once: a handler may see a message again,
	// but behind the idempotency middleware it handles one message id once.
	for _, h := range []struct{ svc, name string }{{svcPayment, hPay}, {svcPayment, hLedger}, {svcOrders, hSummary}, {svcOrders, hReact}, {svcOrders, hConfirm}} {
		assert.Len(t, f.runs.messageIDs(h.svc, h.name), 1, "%s %s handles one message", h.svc, h.name)
	}

	ev := f.runs.byHandler(svcOrders, hSummary)[0].Env
	confirm := f.runs.byHandler(svcOrders, hConfirm)[0].Env
	assertLineage(t, cmd, ev, confirm, corr)
	assert.Equal(t, ev, f.runs.byHandler(svcPayment, hLedger)[0].Env, "both services receive the same event")

	// Routing is exclusive: each command reaches only the service that listens to its queue.
	assert.Equal(t, []string{svcPayment}, f.runs.servicesThatSaw(cmd.MessageID), "PayOrder is delivered to payments only")
	assert.Equal(t, []string{svcOrders}, f.runs.servicesThatSaw(confirm.MessageID), "ConfirmOrder is delivered to orders only")
	assert.Equal(t, []string{svcOrders, svcPayment}, f.runs.servicesThatSaw(ev.MessageID), "OrderPaid reaches each subscriber")

	payment, found, err := f.paymentSaga.Load(ctx, "order-1")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, Payment{Amount: 42, Paid: true, Commands: 1}, payment)
	_, found, err = f.paymentSaga.Load(ctx, "order-2")
	require.NoError(t, err)
	assert.False(t, found)

	// The handlers record their run before their state commits: wait until
	// each state is stored, then check it once.
	var order OrderState
	var summary, ledgerModel OrderSummary
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		var found [3]bool
		var err error
		order, found[0], err = f.orderSaga.Load(ctx, "order-1")
		require.NoError(c, err)
		summary, found[1], err = f.summary.Get(ctx, "order-1")
		require.NoError(c, err)
		ledgerModel, found[2], err = f.ledgerView.Get(ctx, "order-1")
		require.NoError(c, err)
		assert.Equal(c, [3]bool{true, true, true}, found, "the orders saga, the summary and the ledger are stored")
		assert.True(c, order.Confirmed)
	}, 30*time.Second, 20*time.Millisecond, "the orders saga and both views store what they handled")
	assert.Equal(t, OrderSummary{Amount: 42, Paid: true, Events: 1}, summary)
	assert.Equal(t, OrderSummary{Amount: 42, Events: 1}, ledgerModel)
}

// assertLineage checks PayOrder → OrderPaid → ConfirmOrder: one correlation
// id, each message caused by the one before.
func assertLineage(t *testing.T, cmd, ev, confirm cqrs.Envelope, corr string) {
	t.Helper()
	assert.Equal(t, "model.PayOrder", cmd.Type)
	assert.Equal(t, "model.OrderPaid", ev.Type)
	assert.Equal(t, "model.ConfirmOrder", confirm.Type)
	for _, e := range []cqrs.Envelope{cmd, ev, confirm} {
		assert.Equal(t, corr, e.CorrelationID, "%s shares the flow's correlation id", e.Type)
		assert.Equal(t, "order-1", e.EntityID, e.Type)
		assert.NotEmpty(t, e.MessageID, e.Type)
	}
	assert.Equal(t, cmd.MessageID, ev.CausationID, "OrderPaid is caused by PayOrder")
	assert.Equal(t, ev.MessageID, confirm.CausationID, "ConfirmOrder is caused by OrderPaid")
	assert.Equal(t, cmd.Sequence, ev.Sequence, "an event carries its command's sequence")
	assert.Equal(t, int64(2), confirm.Sequence, "the orders bus numbers the entity's second command 2")
	assert.NotEqual(t, cmd.MessageID, ev.MessageID)
	assert.NotEqual(t, ev.MessageID, confirm.MessageID)
}
