package cqrs_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
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

// A payload that does not decode because it is still encrypted (the
// message carries the encryption header, which the Decrypter removes) is
// dead-lettered with a reason saying so and what the consumer lacks; one
// without the header is not.
func TestUndecodablePayloadReasonSaysWhenThePayloadIsEncrypted(t *testing.T) {
	app, pub, errs := newBadInputApp(t)
	hint := "the payload is encrypted, metadata " + sourceflow.MetaEncryption + " is set, and was not decrypted: " +
		"put the encryption Decrypter's Middleware in this consumer's ServiceConfig.HandlerMiddleware"

	require.NoError(t, pub.Publish("orders", withMetadata(rawCommandID("m-enc", "orders.CreateOrder", "o-1", "zq8Xw=="),
		sourceflow.MetaEncryption, "AQID")))
	require.NoError(t, pub.Publish("orders", rawCommandID("m-plain", "orders.CreateOrder", "o-2", "zq8Xw==")))

	reasons := map[string]string{}
	for _, dl := range app.transport.DeadLetters() {
		reasons[dl.Message.UUID] = dl.Reason
		assert.Equal(t, 1, dl.Deliveries, "a permanent failure, dead-lettered at once")
	}
	require.Len(t, reasons, 2)
	assert.Contains(t, reasons["m-enc"], cqrs.ErrDecode.Error())
	assert.Contains(t, reasons["m-enc"], hint)
	assert.Contains(t, reasons["m-plain"], cqrs.ErrDecode.Error())
	assert.NotContains(t, reasons["m-plain"], "encrypted")
	assert.NotContains(t, reasons["m-enc"], "AQID", "the header's value, the wrapped data key, is not shown")
	got := errs.all()
	require.Len(t, got, 2)
	for _, err := range got {
		assert.ErrorIs(t, err, cqrs.ErrDecode)
		assert.True(t, sourceflow.IsPermanent(err))
	}
}

// A message of a Go type nobody registered is refused with an error
// saying how to register it; errors.Is still finds ErrNotRegistered.
func TestSendingAnUnregisteredTypeIsToldToRegisterIt(t *testing.T) {
	app := newOrderApp(t, cqrs.ServiceConfig{})
	app.start(t)

	_, err := app.agg.Send(context.Background(), "o-1", struct{ X int }{})

	require.ErrorIs(t, err, cqrs.ErrNotRegistered)
	assert.EqualError(t, err, "cqrs: type not registered: Go type struct { X int } "+
		"(register it with cqrs.RegisterCommand or cqrs.RegisterEvent)")
}

// A send before Start is refused with an error saying to call Start
// first; errors.Is still finds ErrNotStarted.
func TestSendingBeforeStartIsToldToCallStartFirst(t *testing.T) {
	app := newOrderApp(t, cqrs.ServiceConfig{})

	_, err := app.agg.Send(context.Background(), "o-1", CreateOrder{})

	require.ErrorIs(t, err, cqrs.ErrNotStarted)
	assert.EqualError(t, err, "cqrs: service not started (call Start first), or closed")
}
