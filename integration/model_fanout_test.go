//go:build integration

package integration

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/idempotency"
)

// TestModelEventFanOutToThreeServices raises events of one type from a
// service that listens to nothing; three services subscribe to the topic,
// each through its own event queue. SNS→SQS delivers at least once, so the
// test asserts that each subscriber receives every event at least once and
// that its view, behind the idempotency middleware, applies each exactly
// once.
// fanSubscriber is one subscribing service of the fan-out test.
type fanSubscriber struct {
	svc  *cqrs.Service
	tr   *awsbus.Transport
	view *cqrs.View[OrderSummary]
}

// newFanSubscriber wires a service that projects OrderPaid from topic into
// its "paid" view behind the idempotency middleware, recording each run.
func newFanSubscriber(t *testing.T, name, topic string, runs *ledger) fanSubscriber {
	t.Helper()
	svc, tr := modelService(t, awsbus.Config{}, cqrs.ServiceConfig{
		Name: name, Listen: []string{topic},
		HandlerMiddleware: []message.HandlerMiddleware{memoryIdempotency(t)},
	})
	require.NoError(t, cqrs.RegisterEvent[OrderPaid](svc, "model.OrderPaid", topic))
	view := cqrs.NewView[OrderSummary](svc, "paid")
	require.NoError(t, cqrs.Project(view, func(_ context.Context, m *OrderSummary, e OrderPaid, env cqrs.Envelope) error {
		runs.add(name, "paid", env)
		m.Amount += e.Amount
		m.Events++
		return nil
	}))
	return fanSubscriber{svc: svc, tr: tr, view: view}
}

func TestModelEventFanOutToThreeServices(t *testing.T) {
	const events, entities = 20, 5
	topic := uniqueName("m-fan", "")
	runs := &ledger{}
	subscribers := []string{"fan-billing", "fan-shipping", "fan-audit"}
	svcs, views := []*cqrs.Service{}, map[string]*cqrs.View[OrderSummary]{}
	var subs []fanSubscriber
	for _, name := range subscribers {
		sub := newFanSubscriber(t, name, topic, runs)
		subs, svcs, views[name] = append(subs, sub), append(svcs, sub.svc), sub.view
	}
	publisher, _ := modelService(t, awsbus.Config{}, cqrs.ServiceConfig{Name: "fan-publisher"})
	require.NoError(t, cqrs.RegisterEvent[OrderPaid](publisher, "model.OrderPaid", topic))
	startModel(t, append(svcs, publisher)...)
	queues := map[string]bool{}
	for _, sub := range subs {
		queues[sub.tr.Endpoints()[topic].QueueURL] = true
	}
	require.Len(t, queues, len(subscribers), "each subscriber has its own event queue")

	var raised []string
	want := map[string]OrderSummary{}
	for i := range events {
		entity := fmt.Sprintf("order-%d", i%entities)
		env, err := publisher.EventQueue().Raise(context.Background(), entity, OrderPaid{Amount: i})
		require.NoError(t, err)
		raised = append(raised, env.MessageID)
		s := want[entity]
		s.Amount += i
		s.Events++
		want[entity] = s
	}
	slices.Sort(raised)
	received := func(name string) []string {
		ids := map[string]bool{}
		for _, e := range runs.byHandler(name, "paid") {
			ids[e.Env.MessageID] = true
		}
		return slices.Sorted(maps.Keys(ids))
	}
	require.Eventually(t, func() bool {
		for _, name := range subscribers {
			if !slices.Equal(raised, received(name)) {
				return false
			}
		}
		return true
	}, snsPatience, 100*time.Millisecond, "every subscriber receives every event at least once")
	for _, name := range subscribers {
		for entity, w := range want {
			got, ok, err := views[name].Get(context.Background(), entity)
			require.NoError(t, err)
			require.True(t, ok, "%s has a view of %s", name, entity)
			assert.Equal(t, w, got, "%s applies every event of %s once", name, entity)
		}
	}
}

// memoryIdempotency is the idempotency middleware on an in-memory store, for
// one service instance.
func memoryIdempotency(t *testing.T) message.HandlerMiddleware {
	t.Helper()
	store, err := idempotency.NewMemoryStore(idempotency.MemoryStoreConfig{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	mw, err := idempotency.NewMiddleware(store, idempotency.MiddlewareConfig{})
	require.NoError(t, err)
	return mw.Middleware
}
