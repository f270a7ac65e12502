package metrics_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/metrics"
)

// A message the transport received from a queue subscribed to its
// destination (awsbus's event queue of an SNS topic) is counted with that
// queue as messaging.destination.subscription.name, so its throughput
// joins the queue's depth; one without stays counted as before.
func TestMiddlewareNamesTheSubscribedQueue(t *testing.T) {
	m, reader := recordingMetrics(t, metrics.Config{})
	event := typed("orders.OrderPaid")
	event.Metadata.Set(sourceflow.MetaSubscription, "billing-orders-events")
	_, err := m.Middleware(okHandler)(event)
	require.NoError(t, err)
	_, err = m.Middleware(okHandler)(typed("orders.PayOrder"))
	require.NoError(t, err)

	got := collect(t, reader)
	n, ok := got.sum(metrics.NameMessageProcessed, attrs(string(metrics.AttrType), "orders.OrderPaid",
		string(metrics.AttrDestination), "", string(metrics.AttrSubscription), "billing-orders-events",
		string(metrics.AttrOutcome), metrics.OutcomeSuccess))
	assert.True(t, ok && n == 1, "the event is counted under its queue; points: %v", got[metrics.NameMessageProcessed].Data)
	n, ok = got.sum(metrics.NameMessageProcessed, attrs(string(metrics.AttrType), "orders.PayOrder",
		string(metrics.AttrDestination), "", string(metrics.AttrOutcome), metrics.OutcomeSuccess))
	assert.True(t, ok && n == 1, "the command has no subscription attribute")
}
