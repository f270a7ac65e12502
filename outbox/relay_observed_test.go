package outbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
	"github.com/sourceflow-go/sourceflow/middleware/metrics"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// The forwarder reports each forward to the relay observers: the outbox's
// topic, the message's destination, id and sending time, and the result;
// metrics.Metrics.RelayObserver counts it as relayed by outbox and
// destination, with its age.
func TestForwarderReportsEachForwardToTheRelayObservers(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		topic := uniqueName("obx")
		d.dropOutbox(t, db, topic)
		reader := sdkmetric.NewManualReader()
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
		t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
		m, err := metrics.New(metrics.Config{MeterProvider: mp})
		require.NoError(t, err)
		t.Cleanup(func() { _ = m.Close() })
		rec := &cqrstest.RelayRecorder{}
		h := newHarnessOf(t, d, outbox.Config{DB: db, Dialect: d.dialect, Topic: topic,
			RelayObservers: []sourceflow.RelayObserver{rec, m.RelayObserver()}})

		var sent cqrs.Envelope
		require.NoError(t, h.store.WithinTx(context.Background(), func(ctx context.Context) error {
			sent, err = h.orders.Send(ctx, "o-1", PlaceOrder{OrderID: "o-1"})
			return err
		}))
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			assert.Equal(c, 1, h.handled.count(sent.MessageID))
			assert.NotEmpty(c, rec.Relayed(sent.MessageID))
		}, waitFor, 10*time.Millisecond, "the command is forwarded, handled and reported")

		got := rec.Relayed(sent.MessageID)[0]
		assert.Equal(t, topic, got.Outbox)
		assert.Equal(t, ordersDest, got.Destination)
		assert.Equal(t, sent.OccurredAt.UTC().Format(time.RFC3339Nano), got.OccurredAt)
		relayed, ages := relayFigures(t, reader, topic, ordersDest)
		assert.GreaterOrEqual(t, relayed, int64(1), "at least once")
		assert.GreaterOrEqual(t, ages, uint64(1))
	})
}

// relayFigures returns the relayed count and the number of age samples of
// destination on the outbox topic.
func relayFigures(t *testing.T, reader *sdkmetric.ManualReader, topic, destination string) (int64, uint64) {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	var relayed int64
	var ages uint64
	for _, sm := range rm.ScopeMetrics {
		for _, mt := range sm.Metrics {
			switch data := mt.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range data.DataPoints {
					if mt.Name == metrics.NameOutboxRelayed && matches(p.Attributes, topic, destination) {
						relayed += p.Value
					}
				}
			case metricdata.Histogram[float64]:
				for _, p := range data.DataPoints {
					if mt.Name == metrics.NameOutboxRelayAge && matches(p.Attributes, topic, destination) {
						ages += p.Count
					}
				}
			}
		}
	}
	return relayed, ages
}

func matches(set attribute.Set, topic, destination string) bool {
	o, _ := set.Value(metrics.AttrOutbox)
	dest, _ := set.Value(metrics.AttrDestination)
	return o.AsString() == topic && dest.AsString() == destination
}
