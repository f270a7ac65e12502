//go:build integration

package integration

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// TestModelEventFanOutToThreeServices raises events of one type from a
// service that listens to nothing; three services subscribe to the topic,
// each through its own event queue, and each receives every event exactly
// once.
func TestModelEventFanOutToThreeServices(t *testing.T) {
	const events = 20
	topic := uniqueName("m-fan", "")
	runs := &ledger{}
	subscribers := []string{"fan-billing", "fan-shipping", "fan-audit"}
	var svcs []*cqrs.Service
	var trs []*awsbus.Transport
	for _, name := range subscribers {
		svc, tr := modelService(t, awsbus.Config{}, cqrs.ServiceConfig{Name: name, Listen: []string{topic}})
		require.NoError(t, cqrs.RegisterEvent[OrderPaid](svc, "model.OrderPaid", topic))
		require.NoError(t, cqrs.Project(cqrs.NewView[OrderSummary](svc, "paid"), func(_ context.Context, m *OrderSummary, e OrderPaid, env cqrs.Envelope) error {
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
	for i := range events {
		env, err := publisher.EventQueue().Raise(context.Background(), fmt.Sprintf("order-%d", i%5), OrderPaid{Amount: i})
		require.NoError(t, err)
		raised = append(raised, env.MessageID)
	}
	slices.Sort(raised)
	require.Eventually(t, func() bool { return runs.count(func(handled) bool { return true }) >= events*len(subscribers) },
		60*time.Second, 100*time.Millisecond, "every subscriber receives every event")
	time.Sleep(2 * time.Second) // room for a duplicate delivery to show up
	for _, name := range subscribers {
		var got []string
		for _, e := range runs.byHandler(name, "paid") {
			got = append(got, e.Env.MessageID)
		}
		slices.Sort(got)
		assert.Equal(t, raised, got, "%s receives every event exactly once", name)
	}
}
