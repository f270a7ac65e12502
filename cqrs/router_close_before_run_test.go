package cqrs_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// TestAServiceClosedBeforeItsSharedRouterRunsHandlesNothing: a service
// started in the caller's router and closed before the router runs leaves
// its handler there (Watermill cannot remove one), but that handler ends as
// soon as the router runs it: the closed service handles no command, a
// command to it finds no listener, and the router runs the other services,
// also when the closed service had a transport of its own, now closed.
func TestAServiceClosedBeforeItsSharedRouterRunsHandlesNothing(t *testing.T) {
	for _, own := range []bool{false, true} {
		t.Run(map[bool]string{false: "shared transport", true: "own transport"}[own], func(t *testing.T) {
			router, err := message.NewRouter(message.RouterConfig{}, watermill.NopLogger{})
			require.NoError(t, err)
			tr := newTransport(t)
			orders := newOrderApp(t, cqrs.ServiceConfig{Router: router, Transport: tr})
			require.NoError(t, orders.svc.Start(context.Background()))
			t.Cleanup(func() { assert.NoError(t, orders.svc.Close()) })
			var noted atomic.Int64
			cfg := cqrs.ServiceConfig{Name: "audit", Transport: tr, Listen: []string{"audit"}, Router: router}
			if own {
				cfg.Transport = nil
			}
			audit := newNoteService(t, cfg, &noted)
			require.NoError(t, audit.Start(context.Background()))
			require.NoError(t, audit.Close())

			runRouter(t, router)

			sender, err := cqrs.NewService(cqrs.ServiceConfig{Name: "sender", Transport: tr})
			require.NoError(t, err)
			require.NoError(t, cqrs.RegisterCommand[CreateOrder](sender, "audit.Note", "audit"))
			require.NoError(t, sender.Start(context.Background()))
			t.Cleanup(func() { assert.NoError(t, sender.Close()) })
			_, err = cqrs.NewAggregate(sender, "note").Send(context.Background(), "n-1", CreateOrder{})
			require.ErrorIs(t, err, cqrs.ErrNoListener, "the closed service does not listen")
			assert.Zero(t, noted.Load(), "the closed service handled a command")

			_, err = orders.agg.Send(context.Background(), "o-1", CreateOrder{Amount: 3})
			require.NoError(t, err)
			s, found, err := orders.view.Get(context.Background(), "o-1")
			require.NoError(t, err)
			require.True(t, found, "the open service handles in the router")
			assert.Equal(t, 3, s.Amount)
		})
	}
}

// runRouter runs router until the test ends, failing the test when it does
// not run.
func runRouter(t *testing.T, router *message.Router) {
	t.Helper()
	ran := make(chan error, 1)
	go func() { ran <- router.Run(context.Background()) }()
	select {
	case <-router.Running():
	case err := <-ran:
		t.Fatalf("the router did not run: %v", err)
	}
	t.Cleanup(func() {
		_ = router.Close()
		require.NoError(t, <-ran, "the router ran")
	})
}

// newNoteService returns a service whose saga counts the audit.Note
// commands it handles in noted.
func newNoteService(t *testing.T, cfg cqrs.ServiceConfig, noted *atomic.Int64) *cqrs.Service {
	t.Helper()
	svc, err := cqrs.NewService(cfg)
	require.NoError(t, err)
	require.NoError(t, cqrs.RegisterCommand[CreateOrder](svc, "audit.Note", "audit"))
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](svc, "note"), func(context.Context, *Order, CreateOrder, cqrs.Envelope) ([]any, error) {
		noted.Add(1)
		return nil, nil
	}))
	return svc
}
