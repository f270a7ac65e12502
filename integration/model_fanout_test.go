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
func TestModelEventFanOutToThreeServices(t *testing.T) {
	const events, entities = 20, 5
	topic := uniqueName("m-fan", "")
	runs := &ledger{}
	subscribers := []string{"fan-billing", "fan-shipping", "fan-audit"}
	var svcs []*cqrs.Service
	var trs []*awsbus.Transport
	views := map[string]*cqrs.View[OrderSummary]{}
	for _, name := range subscribers {
		svc, tr := modelService(t, awsbus.Config{}, cqrs.ServiceConfig{
			Name: name, Listen: []string{topic},
			HandlerMiddleware: []message.HandlerMiddleware{memoryIdempotency(t)},
		})
		require.NoError(t, cqrs.RegisterEvent[OrderPaid](svc, "model.OrderPaid", topic))
		views[name] = cqrs.NewView[OrderSummary](svc, "paid")
		require.NoError(t, cqrs.Project(views[name], func(_ context.Context, m *OrderSummary, e OrderPaid, env cqrs.Envelope) error {
			runs.add(name, "paid", env)
			m.Amount += e.Amount
			m.Events++
			return nil
		}))
		svcs, trs = append(svcs, svc), append(trs, tr)
	}
	publisher, _ := modelService(t, awsbus.Config{}, cqrs.ServiceConfig{Name: "fan-publisher"})
	require.NoError(t, cqrs.RegisterEvent[OrderPaid](publisher, "model.OrderPaid", topic))
	startModel(t, append(svcs, publisher)...)
	queues := map[string]bool{}
	for _, tr := range trs {
		queues[tr.Endpoints()[topic].QueueURL] = true
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
	}, 60*time.Second, 100*time.Millisecond, "every subscriber receives every event at least once")
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
