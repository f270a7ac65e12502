package cqrs_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A Send whose context already ended is refused, with an error wrapping the
// context's, before the command is stored or given a sequence: nothing is
// stored, published or handled, on the in-process transport and on a
// PubSubTransport alike.
func TestASendWithAnEndedContextIsRefusedBeforeItIsStored(t *testing.T) {
	transports := map[string]func(t *testing.T) cqrs.Transport{
		"channel": func(t *testing.T) cqrs.Transport { return newTransport(t) },
		"pubsub":  func(t *testing.T) cqrs.Transport { return newPubSubRig(t).transport(t, cqrs.PubSubConfig{}) },
	}
	for name, transport := range transports {
		t.Run(name, func(t *testing.T) {
			store := cqrs.NewMemoryCommandStore()
			var handled atomic.Int64
			svc := storedBillingService(t, transport(t), store, &handled)
			require.NoError(t, svc.Start(context.Background()))
			t.Cleanup(func() { require.NoError(t, svc.Close()) })
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_, err := svc.CommandBus().Send(ctx, "o-1", CreateOrder{Amount: 1})
			require.ErrorIs(t, err, context.Canceled)
			require.ErrorContains(t, err, `cqrs: send "orders.CreateOrder" for "o-1": not sent: context canceled`)
			stored, err := store.Load(context.Background(), "o-1")
			require.NoError(t, err)
			require.Empty(t, stored, "a refused send stores nothing")
			_, err = svc.CommandBus().Send(context.Background(), "o-1", CreateOrder{Amount: 1})
			require.NoError(t, err)
			stored, err = store.Load(context.Background(), "o-1")
			require.NoError(t, err)
			require.Len(t, stored, 1)
			require.EqualValues(t, 1, stored[0].Envelope.Sequence, "the refused send spent no sequence")
			eventually(t, func() bool { return handled.Load() >= 1 }, "the next send is handled")
		})
	}
}

// A Send waiting for a Start in progress whose context ends meanwhile
// returns the context's error, naming the service it waited for, not
// ErrNotStarted.
func TestASendWhoseContextEndsWhileTheServiceStartsGivesTheContextsError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		svc := billingService(t, slowBind{newTransport(t), release}, func(h message.HandlerFunc) message.HandlerFunc { return h })
		started := make(chan error, 1)
		go func() { started <- svc.Start(context.Background()) }()
		synctest.Wait() // the Start waits for release
		ctx, cancel := context.WithCancel(context.Background())
		sent := make(chan error, 1)
		go func() {
			_, err := svc.CommandBus().Send(ctx, "o-1", CreateOrder{Amount: 1})
			sent <- err
		}()
		synctest.Wait() // the send waits for the Start
		cancel()
		err := <-sent
		require.ErrorIs(t, err, context.Canceled)
		require.False(t, errors.Is(err, cqrs.ErrNotStarted), "the send was not refused for the service's state: %v", err)
		require.ErrorContains(t, err, `cqrs: send "orders.CreateOrder" for "o-1": waited for service "billing" to start: context canceled`)
		close(release)
		require.NoError(t, <-started)
		require.NoError(t, svc.Close())
	})
}

// storedBillingService is billingService storing its commands in store and
// counting its handlers' runs in handled.
func storedBillingService(t *testing.T, tr cqrs.Transport, store cqrs.CommandStore, handled *atomic.Int64) *cqrs.Service {
	t.Helper()
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "billing", Transport: tr, CommandStore: store, Listen: []string{"orders", "payments"}})
	require.NoError(t, err)
	registerOrderTypes(t, svc)
	saga := cqrs.NewSaga[Order](svc, "order")
	counted := func(_ context.Context, o *Order, c CreateOrder, env cqrs.Envelope) ([]any, error) {
		handled.Add(1)
		return createOrder(context.Background(), o, c, env)
	}
	require.NoError(t, errors.Join(cqrs.Handle(saga, counted), cqrs.Handle(saga, processPayment)))
	return svc
}
