package cqrs_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

type unregisteredEvent struct{}

// unencodableEvent is registered, but JSON cannot encode it.
type unencodableEvent struct{ F func() }

// A handler's programming mistake (a saga handler returning an event that
// is nil, not registered, a command or not encodable; a reaction sending a command that is
// not registered or an event, or with no entity id) fails the same way on
// every delivery: its message is dead-lettered at once, with the reason,
// not after MaxDeliveries deliveries.
func TestAHandlersMistakeIsDeadLetteredAtOnce(t *testing.T) {
	tests := []struct {
		name   string
		events []any
		send   func(ctx context.Context, a *cqrs.Aggregate) error
		reason string
	}{
		{name: "saga returns an unregistered event", events: []any{unregisteredEvent{}}, reason: "cqrs: type not registered: Go type cqrs_test.unregisteredEvent " + registerHint},
		{name: "saga returns a command", events: []any{ProcessPayment{}}, reason: "cqrs: payments.ProcessPayment is registered as a command, not an event"},
		{name: "saga returns an event that does not encode", events: []any{unencodableEvent{F: func() {}}}, reason: `cqrs: encode "orders.Unencodable": json: unsupported type: func()`},
		{name: "saga returns nil", events: []any{nil}, reason: "cqrs: type not registered: nil message"},
		{name: "reaction sends an unregistered command", send: func(ctx context.Context, a *cqrs.Aggregate) error {
			_, err := a.Send(ctx, "o-1", unregisteredEvent{})
			return err
		}, reason: "cqrs: type not registered: Go type cqrs_test.unregisteredEvent " + registerHint},
		{name: "reaction sends an event", send: func(ctx context.Context, a *cqrs.Aggregate) error {
			_, err := a.Send(ctx, "o-1", PaymentProcessed{})
			return err
		}, reason: "cqrs: payments.PaymentProcessed is registered as an event, not a command"},
		{name: "reaction sends with no entity id", send: func(ctx context.Context, a *cqrs.Aggregate) error {
			_, err := a.Send(ctx, "", ProcessPayment{})
			return err
		}, reason: `cqrs: empty entity id: sending "payments.ProcessPayment"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newTransport(t)
			svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Transport: tr, Listen: []string{"orders", "order-events"}})
			require.NoError(t, err)
			registerOrderTypes(t, svc)
			require.NoError(t, cqrs.RegisterEvent[unencodableEvent](svc, "orders.Unencodable", "unheard-events"))
			agg := cqrs.NewAggregate(svc, "order")
			require.NoError(t, errors.Join(
				cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), func(context.Context, *Order, CreateOrder, cqrs.Envelope) ([]any, error) {
					if tt.events != nil {
						return tt.events, nil
					}
					return []any{OrderCreated{OrderID: "o-1"}}, nil
				}),
				cqrs.React(agg, func(ctx context.Context, a *cqrs.Aggregate, _ OrderCreated, _ cqrs.Envelope) error {
					if tt.send == nil {
						return nil
					}
					return tt.send(ctx, a)
				}),
			))
			require.NoError(t, svc.Start(context.Background()))
			t.Cleanup(func() { require.NoError(t, svc.Close()) })

			_, err = agg.Send(context.Background(), "o-1", CreateOrder{Amount: 1})
			require.NoError(t, err)

			eventually(t, func() bool { return tr.DeadLetterCount() > 0 }, "the message is dead-lettered")
			dead := tr.DeadLetters()
			require.Len(t, dead, 1)
			assert.Equal(t, 1, dead[0].Deliveries, "a handler's mistake is not redelivered")
			assert.Contains(t, dead[0].Reason, tt.reason)
		})
	}
}

// registerHint is what an error about an unregistered Go type adds.
const registerHint = "(register it with cqrs.RegisterCommand or cqrs.RegisterEvent)"
