package cqrs_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A failed Start says "cqrs:" once per line, before the service's name on
// the first, however many of this package's errors it holds; errors.Is
// still finds them.
func TestStartErrorSaysThePackageOnce(t *testing.T) {
	tr := newTransport(t)
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "s", Transport: tr, Listen: []string{"idle", "order-events"}})
	require.NoError(t, err)
	require.NoError(t, cqrs.RegisterEvent[OrderCreated](svc, "orders.OrderCreated", "order-events"))

	err = svc.Start(context.Background())

	require.ErrorIs(t, err, cqrs.ErrNotRegistered)
	require.ErrorIs(t, err, cqrs.ErrNoHandlers)
	assert.Equal(t, `cqrs: start "s": type not registered: listened destination "idle" carries no registered type`+"\n"+
		`cqrs: listened destination has no handler: "order-events"`, err.Error())
}

// refusingPublisher is a transport that refuses every publisher with one
// of this package's errors.
type refusingPublisher struct{ cqrs.Transport }

func (refusingPublisher) Publisher(string) (message.Publisher, error) {
	return nil, fmt.Errorf("%w: no publisher here", cqrs.ErrCapability)
}

// A step of the Start that wraps one of this package's errors does not
// repeat the prefix either.
func TestStartStepErrorSaysThePackageOnce(t *testing.T) {
	svc := newService(t, refusingPublisher{newTransport(t)}, "s", "orders")
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), createOrder))

	err := svc.Start(context.Background())

	require.ErrorIs(t, err, cqrs.ErrCapability)
	assert.Equal(t, `cqrs: start "s": publisher for "order-events": transport lacks a capability: no publisher here`, err.Error())
}
