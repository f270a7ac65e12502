package cqrs_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A message of a type no handler of its destination takes (a misspelt
// name) is dead-lettered with a reason naming the types handled there.
func TestUnknownTypeReasonNamesTheTypesHandledOnTheDestination(t *testing.T) {
	app, pub, _ := newBadInputApp(t)

	require.NoError(t, pub.Publish("orders", rawCommandID("m-1", "orders.CreateOrdr", "o-1", `{}`)))

	dead := app.transport.DeadLetters()
	require.Len(t, dead, 1)
	assert.Contains(t, dead[0].Reason, cqrs.ErrUnknownType.Error()+
		`: "orders.CreateOrdr" on destination "orders" (message "m-1"); types handled there: "orders.CreateOrder"`)
}

// A handler taking a registered command by pointer is refused with an
// error saying that handlers take commands and events by value.
func TestHandlerTakingARegisteredTypeByPointerIsToldToTakeItByValue(t *testing.T) {
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "billing", Listen: []string{"billing-commands"}})
	require.NoError(t, err)
	require.NoError(t, cqrs.RegisterCommand[logCharge](svc, "billing.Charge", "billing-commands"))

	err = cqrs.Handle(cqrs.NewSaga[struct{ N int }](svc, "customer"),
		func(context.Context, *struct{ N int }, *logCharge, cqrs.Envelope) ([]any, error) { return nil, nil })

	require.ErrorIs(t, err, cqrs.ErrNotRegistered)
	assert.EqualError(t, err, "cqrs: type not registered: Go type *cqrs_test.logCharge "+
		"(cqrs_test.logCharge is registered: a handler takes a command or an event by value, not by pointer)")
}
