package cqrs

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
)

type (
	fanOpen   struct{}
	fanItem   struct{}
	fanOpened struct{}
	fanState  struct{ Items int }
)

// A saga handler raises an event that two services sharing the synchronous
// ChannelTransport react to, each sending the saga a command for the
// handler's entity. The second command, published while the first one's
// handler has yet to wait for the entity's lock, is released as that
// handler waits rather than waiting behind it for good: the flow completes
// and both commands are handled.
func TestTwoServicesReactingByCommandsToASagaForItsOwnEntityComplete(t *testing.T) {
	tr, err := NewChannelTransport(ChannelConfig{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	bar, kitchen := newFanOutServices(t, tr)
	handled := make(chan struct{}, 2)
	tabs := NewSaga[fanState](bar, "tab")
	require.NoError(t, errors.Join(
		Handle(tabs, func(ctx context.Context, _ *fanState, _ fanOpen, env Envelope) ([]any, error) {
			_, err := bar.EventQueue().Raise(ctx, env.EntityID, fanOpened{})
			return nil, err
		}),
		Handle(tabs, func(_ context.Context, s *fanState, _ fanItem, _ Envelope) ([]any, error) {
			s.Items++
			handled <- struct{}{}
			return nil, nil
		}),
		reactBySendingAnItem(NewAggregate(bar, "tab")),
		reactBySendingAnItem(NewAggregate(kitchen, "order")),
	))
	for _, s := range []*Service{bar, kitchen} {
		require.NoError(t, s.Start(context.Background()))
		t.Cleanup(func() { _ = s.Close() })
	}

	sent := make(chan error, 1)
	go func() {
		_, err := bar.CommandBus().Send(context.Background(), "tab-1", fanOpen{})
		sent <- err
	}()
	deadline := time.After(10 * time.Second)
	select {
	case err := <-sent:
		require.NoError(t, err)
	case <-deadline:
		t.Fatal("Send never returned: a reaction's command waits behind the other's for good")
	}
	for i := range 2 {
		select {
		case <-handled:
		case <-deadline:
			t.Fatalf("item %d of 2 was never handled", i+1)
		}
	}
}

// newFanOutServices returns two services on tr: "bar", whose handling of
// its first fanItem waits until another fanItem was published (so that both
// are under way before the first one's handler waits for the saga's lock),
// and "kitchen", which listens to bar's events only.
func newFanOutServices(t *testing.T, tr *ChannelTransport) (bar, kitchen *Service) {
	t.Helper()
	var first atomic.Bool
	first.Store(true)
	another := func() bool {
		tr.mu.Lock()
		defer tr.mu.Unlock()
		return tr.pending["items"] > 0
	}
	gate := func(h message.HandlerFunc) message.HandlerFunc {
		return func(m *message.Message) ([]*message.Message, error) {
			if m.Metadata.Get(sourceflow.MetaType) == "bar.Item" && first.Swap(false) {
				assert.Eventually(t, another, 5*time.Second, time.Millisecond)
			}
			return h(m)
		}
	}
	bar, err := NewService(ServiceConfig{Name: "bar", Transport: tr, Listen: []string{"tabs", "items", "tab-events"},
		HandlerMiddleware: []message.HandlerMiddleware{gate}})
	require.NoError(t, err)
	kitchen, err = NewService(ServiceConfig{Name: "kitchen", Transport: tr, Listen: []string{"tab-events"}})
	require.NoError(t, err)
	for _, s := range []*Service{bar, kitchen} {
		require.NoError(t, errors.Join(
			RegisterCommand[fanOpen](s, "bar.Open", "tabs"),
			RegisterCommand[fanItem](s, "bar.Item", "items"),
			RegisterEvent[fanOpened](s, "bar.Opened", "tab-events"),
		))
	}
	return bar, kitchen
}

// reactBySendingAnItem makes a's service send a fanItem for the entity of
// every fanOpened.
func reactBySendingAnItem(a *Aggregate) error {
	return React(a, func(ctx context.Context, a *Aggregate, _ fanOpened, env Envelope) error {
		_, err := a.Send(ctx, env.EntityID, fanItem{})
		return err
	})
}
