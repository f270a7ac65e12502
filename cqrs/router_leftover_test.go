package cqrs_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

type (
	leftCharge struct{ N int }
	leftShip   struct{ N int }
)

func leftoverService(t *testing.T, name, dest string, tr cqrs.Transport, router *message.Router) *cqrs.Service {
	t.Helper()
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: name, Transport: tr, Router: router, Listen: []string{dest}})
	require.NoError(t, err)
	if dest == "pay" {
		require.NoError(t, cqrs.RegisterCommand[leftCharge](svc, "pay.Charge", dest))
		require.NoError(t, cqrs.Handle(cqrs.NewSaga[lockState](svc, "charge"), func(context.Context, *lockState, leftCharge, cqrs.Envelope) ([]any, error) { return nil, nil }))
	} else {
		require.NoError(t, cqrs.RegisterCommand[leftShip](svc, "ship.Ship", dest))
		require.NoError(t, cqrs.Handle(cqrs.NewSaga[lockState](svc, "ship"), func(context.Context, *lockState, leftShip, cqrs.Envelope) ([]any, error) { return nil, nil }))
	}
	return svc
}

// A service whose Start failed in a running shared router, and which was
// then closed, must leave nothing in the router that breaks the Start of
// the router's next service.
func TestAClosedServiceWhoseStartFailedDoesNotBreakTheSharedRoutersNextStart(t *testing.T) {
	ctx := context.Background()
	router, err := message.NewRouter(message.RouterConfig{CloseTimeout: 10 * time.Second}, watermill.NopLogger{})
	require.NoError(t, err)
	go func() { _ = router.Run(ctx) }()
	<-router.Running()
	tr := newTransport(t)

	payments := leftoverService(t, "payments", "pay", tr, router)
	require.NoError(t, payments.Start(ctx))
	t.Cleanup(func() { _ = payments.Close() })

	// A second listener of a command destination is refused at subscribe.
	second := leftoverService(t, "payments-2", "pay", tr, router)
	require.ErrorIs(t, second.Start(ctx), cqrs.ErrSecondListener)
	require.NoError(t, second.Close()) // given up on

	shipping := leftoverService(t, "shipping", "ship", tr, router)
	require.NoError(t, shipping.Start(ctx), "the closed service's handler, left unstarted in the router, is run again by this Start")

	require.NoError(t, shipping.Close())
	require.NoError(t, payments.Close())
	assert.NoError(t, router.Close(), "the router waits for no handler of the closed service")
}
