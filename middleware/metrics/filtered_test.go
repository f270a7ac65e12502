package metrics_test

import (
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/metrics"
)

// An event an inner phase marked with sourceflow.MetaFiltered (dropped by
// its consumer group's event type filter) is processed with outcome
// filtered, not success, and counted as filtered by destination and
// consumer group.
func TestMiddlewareCountsAFilteredEvent(t *testing.T) {
	m, reader := recordingMetrics(t, metrics.Config{})
	drop := func(msg *message.Message) ([]*message.Message, error) {
		msg.Metadata.Set(sourceflow.MetaFiltered, "billing")
		return nil, nil
	}
	_, err := m.Middleware(drop)(typed("orders.Shipped"))
	require.NoError(t, err)

	got := collect(t, reader)
	n, ok := got.sum(metrics.NameEventsFiltered, attrs(string(metrics.AttrDestination), "",
		string(metrics.AttrConsumerGroup), "billing"))
	assert.True(t, ok && n == 1, "counted as filtered; points: %v", got[metrics.NameEventsFiltered].Data)
	n, ok = got.sum(metrics.NameMessageProcessed, attrs(string(metrics.AttrType), "orders.Shipped",
		string(metrics.AttrDestination), "", string(metrics.AttrOutcome), metrics.OutcomeFiltered))
	assert.True(t, ok && n == 1, "processed as filtered; points: %v", got[metrics.NameMessageProcessed].Data)
	_, ok = got.sum(metrics.NameMessageProcessed, attrs(string(metrics.AttrType), "orders.Shipped",
		string(metrics.AttrDestination), "", string(metrics.AttrOutcome), metrics.OutcomeSuccess))
	assert.False(t, ok, "not a success")
}

// Counting a filtered event builds no attribute set per message: a
// consumer group's filter may drop most of a topic's events, each costing
// no more than a handled one.
func TestAFilteredEventCostsNoMoreThanAHandledOne(t *testing.T) {
	m, _ := recordingMetrics(t, metrics.Config{})
	handle := m.Middleware(func(*message.Message) ([]*message.Message, error) { return nil, nil })
	drop := m.Middleware(func(msg *message.Message) ([]*message.Message, error) {
		msg.Metadata.Set(sourceflow.MetaFiltered, "billing")
		return nil, nil
	})
	handled, filtered := typed("orders.Shipped"), typed("orders.Shipped")
	_, err := handle(handled)
	require.NoError(t, err)
	_, err = drop(filtered)
	require.NoError(t, err)

	base := testing.AllocsPerRun(100, func() { _, _ = handle(handled) })
	got := testing.AllocsPerRun(100, func() { _, _ = drop(filtered) })
	assert.LessOrEqual(t, got, base, "a filtered event builds nothing per message")
}
