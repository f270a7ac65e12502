package cqrs_test

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

func TestOrderFlowEndToEnd(t *testing.T) {
	app := newOrderApp(t, cqrs.ServiceConfig{})
	app.start(t)
	ctx := context.Background()

	env, err := app.agg.Send(ctx, "order-1", CreateOrder{Customer: "ada", Amount: 42})
	require.NoError(t, err)
	assert.Equal(t, int64(1), env.Sequence)
	assert.Equal(t, env.MessageID, env.CorrelationID, "a root command correlates to itself")

	summary, found, err := app.view.Get(ctx, "order-1")
	require.NoError(t, err)
	require.True(t, found, "the default transport delivers synchronously")
	assert.Equal(t, Summary{Amount: 42, Paid: true, Events: 2}, summary)

	order, found, err := app.orders.Load(ctx, "order-1")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, Order{Customer: "ada", Amount: 42, Paid: true, Commands: 2}, order)

	stream, err := app.store.Load(ctx, "order-1")
	require.NoError(t, err)
	require.Len(t, stream, 2, "CreateOrder and the ProcessPayment the aggregate sent")
	assert.Equal(t, "orders.CreateOrder", stream[0].Envelope.Type)
	assert.Equal(t, "payments.ProcessPayment", stream[1].Envelope.Type)
	assert.Equal(t, int64(2), stream[1].Envelope.Sequence)
	assert.Equal(t, env.MessageID, stream[1].Envelope.CorrelationID, "the whole flow shares one correlation id")
	assert.NotEqual(t, env.MessageID, stream[1].Envelope.CausationID, "ProcessPayment is caused by the event, not the command")
	assert.Empty(t, app.transport.DeadLetters())
}

func TestEventsCarryTheirCommandsSequenceAndLineage(t *testing.T) {
	app := newOrderApp(t, cqrs.ServiceConfig{})
	var seen recorder[cqrs.Envelope]
	watcher := cqrs.NewView[Summary](app.svc, "watcher")
	require.NoError(t, cqrs.Project(watcher, func(_ context.Context, _ *Summary, _ PaymentProcessed, env cqrs.Envelope) error {
		seen.add(env)
		return nil
	}))
	app.start(t)
	ctx := context.Background()
	_, err := app.agg.Send(ctx, "o-9", CreateOrder{Amount: 1})
	require.NoError(t, err)

	stream, err := app.store.Load(ctx, "o-9")
	require.NoError(t, err)
	require.Len(t, stream, 2)
	got := seen.all()
	require.Len(t, got, 1)
	assert.Equal(t, "payments.PaymentProcessed", got[0].Type)
	assert.Equal(t, "o-9", got[0].EntityID)
	assert.Equal(t, stream[1].Envelope.Sequence, got[0].Sequence, "an event carries the sequence of the command that raised it")
	assert.Equal(t, stream[1].Envelope.MessageID, got[0].CausationID)
	assert.Equal(t, stream[0].Envelope.MessageID, got[0].CorrelationID)
}

// A redelivered event makes its reaction send the same command id again, so
// the second delivery changes nothing downstream.
func TestRedeliveredMessagesMakeHandlersSendTheSameIDs(t *testing.T) {
	app := newOrderApp(t, cqrs.ServiceConfig{})
	app.start(t)
	ctx := context.Background()
	pub, err := app.transport.Publisher("order-events")
	require.NoError(t, err)
	for range 2 { // the same event delivered twice, as SQS may
		msg := message.NewMessage("evt-1", []byte(`{"orderId":"o-dup","amount":5}`))
		cqrs.Envelope{Type: "orders.OrderCreated", MessageID: "evt-1", EntityID: "o-dup"}.WriteTo(msg)
		require.NoError(t, pub.Publish("order-events", msg))
	}

	stream, err := app.store.Load(ctx, "o-dup")
	require.NoError(t, err)
	require.Len(t, stream, 1, "the second run re-sent the stored command instead of storing it again")
	assert.Equal(t, int64(1), stream[0].Envelope.Sequence, "no sequence number was spent on the repeat")
	order, _, err := app.orders.Load(ctx, "o-dup")
	require.NoError(t, err)
	assert.Equal(t, 1, order.Commands, "the saga applied the repeated command once")
	summary, _, err := app.view.Get(ctx, "o-dup")
	require.NoError(t, err)
	assert.Equal(t, Summary{Amount: 10, Paid: true, Events: 4}, summary,
		"the view has no idempotency phase here: it projected both OrderCreated deliveries and both (identical) PaymentProcessed events")
}
