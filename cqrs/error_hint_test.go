package cqrs_test

import (
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
