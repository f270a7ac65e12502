package cqrs_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/middleware/metrics"
)

// An event the event type filter drops is counted by the metrics
// middleware in billing's pipeline as sourceflow.event.filtered, by
// destination and consumer group, and as processed with outcome
// "filtered", not as a success: whatever wraps the transport.
func TestFilterDroppedEventIsCountedByMetrics(t *testing.T) {
	for _, tc := range []struct {
		name      string
		transport func(t *testing.T) (consumer, sender cqrs.Transport)
	}{
		{"ChannelTransport", func(t *testing.T) (cqrs.Transport, cqrs.Transport) {
			tr := newTransport(t)
			return tr, tr
		}},
		{"PubSubTransport", func(t *testing.T) (cqrs.Transport, cqrs.Transport) {
			rig, store := newPubSubRig(t), cqrs.NewMemoryTypeFilter()
			return filterPubSub(t, rig, &filterTypes{}, store), filterPubSub(t, rig, &filterTypes{}, store)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			consumer, senderTr := tc.transport(t)
			reader := sdkmetric.NewManualReader()
			mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
			t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
			m, err := metrics.New(metrics.Config{MeterProvider: mp})
			require.NoError(t, err)
			t.Cleanup(func() { _ = m.Close() })
			placed := meteredBilling(t, consumer, m)
			q := filterSender(t, senderTr).EventQueue()
			_, err = q.Raise(context.Background(), "o-1", filterShipped{ID: "o-1"})
			require.NoError(t, err)
			_, err = q.Raise(context.Background(), "o-1", filterPlaced{ID: "o-1"})
			require.NoError(t, err)
			eventually(t, func() bool { return placed.Load() >= 1 }, "billing handled filter.Placed")

			shipped := func(outcome string) attribute.Set {
				return attribute.NewSet(metrics.AttrType.String("filter.Shipped"),
					metrics.AttrDestination.String(filterDest), metrics.AttrOutcome.String(outcome))
			}
			require.EventuallyWithT(t, func(c *assert.CollectT) {
				got, err := collectSums(reader)
				if !assert.NoError(c, err) {
					return
				}
				assert.Positive(c, got[metrics.NameEventsFiltered][attribute.NewSet(
					metrics.AttrDestination.String(filterDest), metrics.AttrConsumerGroup.String("billing"))],
					"filter.Shipped counted as filtered: %v", got)
				assert.Positive(c, got[metrics.NameMessageProcessed][shipped(metrics.OutcomeFiltered)],
					"filter.Shipped processed as filtered")
				assert.Zero(c, got[metrics.NameMessageProcessed][shipped(metrics.OutcomeSuccess)],
					"filter.Shipped not counted as a success")
			}, 10*time.Second, 5*time.Millisecond)
		})
	}
}

// meteredBilling starts "billing" as filterConsumer does, with m's
// middleware in its pipeline.
func meteredBilling(t *testing.T, tr cqrs.Transport, m *metrics.Metrics) *atomic.Int64 {
	t.Helper()
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "billing", Transport: tr, Listen: []string{filterDest},
		HandlerMiddleware: []message.HandlerMiddleware{m.Middleware}})
	require.NoError(t, err)
	require.NoError(t, cqrs.RegisterEvent[filterPlaced](svc, "filter.Placed", filterDest))
	var placed atomic.Int64
	require.NoError(t, cqrs.React(cqrs.NewAggregate(svc, "bill"), func(context.Context, *cqrs.Aggregate, filterPlaced, cqrs.Envelope) error {
		placed.Add(1)
		return nil
	}))
	start(t, svc)
	return &placed
}

// collectSums returns the int64 sums of one collection of reader, by
// instrument name and attribute set.
func collectSums(reader *sdkmetric.ManualReader) (map[string]map[attribute.Set]int64, error) {
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		return nil, err
	}
	out := map[string]map[attribute.Set]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, mt := range sm.Metrics {
			sum, ok := mt.Data.(metricdata.Sum[int64])
			if !ok {
				continue
			}
			out[mt.Name] = map[attribute.Set]int64{}
			for _, p := range sum.DataPoints {
				out[mt.Name][p.Attributes] = p.Value
			}
		}
	}
	return out, nil
}
