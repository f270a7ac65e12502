package cqrs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

type (
	openTab  struct{ Items int }
	addItem  struct{}
	closeTab struct{}
	tabOpen  struct{ Items int }
	tabState struct{ Opened, Items int }
)

// selfSendApp is a service whose "tab" saga handles openTab on "tabs" and
// addItem on "items"; openTab's handler asks for the flow under test, with
// the tab's lock held.
type selfSendApp struct {
	svc    *cqrs.Service
	agg    *cqrs.Aggregate
	tabs   *cqrs.Saga[tabState]
	added  chan struct{} // one value per addItem handled
	closed tabState      // the state closeTab found
}

func newSelfSendApp(t *testing.T, opened func(ctx context.Context, app *selfSendApp, entityID string, c openTab) ([]any, error)) *selfSendApp {
	t.Helper()
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "bar", Listen: []string{"tabs", "items", "tab-events"}})
	require.NoError(t, err)
	app := &selfSendApp{svc: svc, agg: cqrs.NewAggregate(svc, "tab"), tabs: cqrs.NewSaga[tabState](svc, "tab"), added: make(chan struct{}, 16)}
	require.NoError(t, errors.Join(
		cqrs.RegisterCommand[openTab](svc, "bar.OpenTab", "tabs"),
		cqrs.RegisterCommand[addItem](svc, "bar.AddItem", "items"),
		cqrs.RegisterCommand[closeTab](svc, "bar.CloseTab", "tabs"),
		cqrs.RegisterEvent[tabOpen](svc, "bar.TabOpen", "tab-events"),
		cqrs.Handle(app.tabs, func(ctx context.Context, s *tabState, c openTab, env cqrs.Envelope) ([]any, error) {
			s.Opened++
			return opened(ctx, app, env.EntityID, c)
		}),
		cqrs.Handle(app.tabs, func(_ context.Context, s *tabState, _ addItem, _ cqrs.Envelope) ([]any, error) {
			s.Items++
			app.added <- struct{}{}
			return nil, nil
		}),
		cqrs.Handle(app.tabs, func(_ context.Context, s *tabState, _ closeTab, _ cqrs.Envelope) ([]any, error) {
			app.closed = *s
			return nil, nil
		}),
		cqrs.React(app.agg, func(ctx context.Context, a *cqrs.Aggregate, ev tabOpen, env cqrs.Envelope) error {
			for range ev.Items {
				if _, err := a.Send(ctx, env.EntityID, addItem{}); err != nil {
					return err
				}
			}
			return nil
		}),
	))
	require.NoError(t, svc.Start(context.Background()))
	t.Cleanup(func() { _ = svc.Close() })
	return app
}

// open sends openTab for tab-1 and requires the send to return, then every
// one of the items to be handled, and the tab to have them all when closed
// (closeTab takes the tab's lock after their handlers stored it).
func (app *selfSendApp) open(t *testing.T, items int) {
	t.Helper()
	sent := make(chan error, 1)
	go func() {
		_, err := app.agg.Send(context.Background(), "tab-1", openTab{Items: items})
		sent <- err
	}()
	deadline := time.After(10 * time.Second)
	select {
	case err := <-sent:
		require.NoError(t, err)
	case <-deadline:
		t.Fatal("Send never returned: the tab saga waits for its own lock")
	}
	for i := range items {
		select {
		case <-app.added:
		case <-deadline:
			t.Fatalf("item %d of %d was never handled", i+1, items)
		}
	}
	_, err := app.agg.Send(context.Background(), "tab-1", closeTab{})
	require.NoError(t, err)
	require.Equal(t, tabState{Opened: 1, Items: items}, app.closed)
}

// A saga handler that sends, through another destination, a command its own
// saga handles for the same entity does not wait for it for good on the
// synchronous ChannelTransport: the command is handled once the handler
// released the entity, and so are further ones it sends there.
func TestASagaSendingItselfACommandThroughAnotherDestinationCompletes(t *testing.T) {
	app := newSelfSendApp(t, func(ctx context.Context, app *selfSendApp, id string, c openTab) ([]any, error) {
		for range c.Items {
			if _, err := app.agg.Send(ctx, id, addItem{}); err != nil {
				return nil, err
			}
		}
		return nil, nil
	})

	app.open(t, 3)
}

// So does a saga handler raising an event whose reaction sends a command the
// saga handles for the same entity.
func TestASagaRaisingAnEventWhoseReactionSendsItACommandCompletes(t *testing.T) {
	app := newSelfSendApp(t, func(ctx context.Context, app *selfSendApp, id string, c openTab) ([]any, error) {
		_, err := app.svc.EventQueue().Raise(ctx, id, tabOpen(c))
		return nil, err
	})

	app.open(t, 2)
}

// A saga handler's command for another entity of its saga is still handled
// before the handler goes on: only a wait for the sender's own entity is
// handed over.
func TestASagaSendingItselfACommandForAnotherEntityStillWaitsForIt(t *testing.T) {
	var handled int
	app := newSelfSendApp(t, func(ctx context.Context, app *selfSendApp, id string, _ openTab) ([]any, error) {
		if _, err := app.agg.Send(ctx, id+"-other", addItem{}); err != nil {
			return nil, err
		}
		handled = len(app.added)
		return nil, nil
	})

	_, err := app.agg.Send(context.Background(), "tab-1", openTab{})

	require.NoError(t, err)
	require.Equal(t, 1, handled, "the other tab's item was handled before Send returned to the handler")
}
