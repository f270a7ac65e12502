package cqrs_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// bindFailsOnce is a ChannelTransport whose first Bind fails.
type bindFailsOnce struct {
	*cqrs.ChannelTransport
	failed bool
}

func (b *bindFailsOnce) Bind(ctx context.Context, bd sourceflow.Binding) error {
	if !b.failed {
		b.failed = true
		return errors.New("provisioning timed out")
	}
	return b.ChannelTransport.Bind(ctx, bd)
}

type (
	rebindPay     struct{ N int }
	rebindShipped struct{ N int }
)

// shippingService returns a service on h that projects the events of
// "shipping-events".
func shippingService(t *testing.T, h *cqrs.HybridTransport) *cqrs.Service {
	t.Helper()
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "shipping", Transport: h, Listen: []string{"shipping-events"}})
	require.NoError(t, err)
	require.NoError(t, errors.Join(
		cqrs.RegisterEvent[rebindShipped](svc, "shipping.Shipped", "shipping-events"),
		cqrs.Project(cqrs.NewView[lockSummary](svc, "shipments"), func(_ context.Context, m *lockSummary, ev rebindShipped, _ cqrs.Envelope) error {
			m.N = ev.N
			return nil
		}),
	))
	return svc
}

// A Start whose HybridTransport Bind failed part-way leaves the service
// unbound, so it accepts new registrations; the retried Start must hand
// them to every inner transport, including the ones bound the first time.
func TestARetriedStartBindsRegistrationsAddedAfterAPartialHybridBindFailure(t *testing.T) {
	ctx := context.Background()
	local := newTransport(t)
	inner := newTransport(t)
	events := &bindFailsOnce{ChannelTransport: inner}
	h, err := cqrs.NewHybridTransport(cqrs.HybridConfig{Default: local, Events: events})
	require.NoError(t, err)
	svc := shippingService(t, h)
	require.ErrorContains(t, svc.Start(ctx), "provisioning timed out")

	// The service is not bound, so it takes a new registration: a command
	// to a destination nobody listens to.
	require.NoError(t, cqrs.RegisterCommand[rebindPay](svc, "shipping.Pay", "payments"))
	require.NoError(t, svc.Start(ctx))
	t.Cleanup(func() { _ = svc.Close() })

	// Bound with the route, the local ChannelTransport refuses a command
	// nobody listens to (ErrNoListener) instead of dropping it.
	_, err = svc.CommandBus().Send(ctx, "p-1", rebindPay{N: 1})
	require.ErrorIs(t, err, cqrs.ErrNoListener, "the command was silently dropped: the retried Bind skipped the transport carrying it")
}

// A service rebuilt under the same name on the same HybridTransport (a
// closed Service does not start again: "build a new Service") with a new
// registration must have that registration bound on every inner transport.
func TestARebuiltServiceOnTheSameHybridBindsItsNewRegistrations(t *testing.T) {
	ctx := context.Background()
	local := newTransport(t)
	h, err := cqrs.NewHybridTransport(cqrs.HybridConfig{Default: local})
	require.NoError(t, err)
	first := shippingService(t, h)
	require.NoError(t, first.Start(ctx))
	require.NoError(t, first.Close())

	second := shippingService(t, h)
	require.NoError(t, cqrs.RegisterCommand[rebindPay](second, "shipping.Pay", "payments"))
	require.NoError(t, second.Start(ctx))
	t.Cleanup(func() { _ = second.Close() })
	_, err = second.CommandBus().Send(ctx, "p-1", rebindPay{N: 1})
	require.ErrorIs(t, err, cqrs.ErrNoListener, "the command was silently dropped: the Hybrid did not bind the new route")
}

// bindsOnce is a ChannelTransport that refuses a second Bind as awsbus
// does (awsbus.ErrAlreadyBound, whose message it returns).
type bindsOnce struct {
	*cqrs.ChannelTransport
	bound bool
}

func (b *bindsOnce) Bind(ctx context.Context, bd sourceflow.Binding) error {
	if b.bound {
		return errors.New("awsbus: Bind called twice")
	}
	b.bound = true
	return b.ChannelTransport.Bind(ctx, bd)
}

// A service rebuilt under the same name with the very same registrations,
// made in another order, has the same part of the routing: the
// HybridTransport does not bind an inner transport again for it (awsbus
// refuses a second Bind).
func TestARebuiltServiceWithTheSameRegistrationsInAnotherOrderIsNotBoundAgain(t *testing.T) {
	ctx := context.Background()
	inner := &bindsOnce{ChannelTransport: newTransport(t)}
	h, err := cqrs.NewHybridTransport(cqrs.HybridConfig{Default: inner})
	require.NoError(t, err)
	build := func(shippedFirst bool) *cqrs.Service {
		svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "shipping", Transport: h, Listen: []string{"shipping-events"}})
		require.NoError(t, err)
		regs := []func() error{
			func() error { return cqrs.RegisterEvent[rebindShipped](svc, "shipping.Shipped", "shipping-events") },
			func() error { return cqrs.RegisterCommand[rebindPay](svc, "shipping.Pay", "payments") },
		}
		if !shippedFirst {
			regs[0], regs[1] = regs[1], regs[0]
		}
		for _, reg := range regs {
			require.NoError(t, reg())
		}
		require.NoError(t, cqrs.Project(cqrs.NewView[lockSummary](svc, "shipments"), func(_ context.Context, m *lockSummary, ev rebindShipped, _ cqrs.Envelope) error {
			m.N = ev.N
			return nil
		}))
		return svc
	}
	first := build(true)
	require.NoError(t, first.Start(ctx))
	require.NoError(t, first.Close())

	second := build(false)
	require.NoError(t, second.Start(ctx), "the same part, in another order, was bound again")
	t.Cleanup(func() { _ = second.Close() })
}
