package metrics_test

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/sourceflow-go/sourceflow/middleware/metrics"
)

// recordingMetrics returns Metrics over a real SDK meter provider read by a
// manual reader.
func recordingMetrics(t *testing.T, cfg metrics.Config) (*metrics.Metrics, *sdkmetric.ManualReader) {
	t.Helper()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	cfg.MeterProvider = mp
	m, err := metrics.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Close() })
	return m, reader
}

// collected is one collection, indexed by instrument name.
type collected map[string]metricdata.Metrics

func collect(t *testing.T, reader *sdkmetric.ManualReader) collected {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	out := collected{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			out[m.Name] = m
		}
	}
	return out
}

// attrs builds an attribute set from key/value string pairs.
func attrs(kv ...string) attribute.Set {
	list := make([]attribute.KeyValue, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		list = append(list, attribute.String(kv[i], kv[i+1]))
	}
	return attribute.NewSet(list...)
}

// sum returns the value of the int64 sum or gauge point of name with exactly
// the attribute set want, and whether there is one.
func (c collected) sum(name string, want attribute.Set) (int64, bool) {
	var points []metricdata.DataPoint[int64]
	switch data := c[name].Data.(type) {
	case metricdata.Sum[int64]:
		points = data.DataPoints
	case metricdata.Gauge[int64]:
		points = data.DataPoints
	}
	for _, p := range points {
		if p.Attributes.Equals(&want) {
			return p.Value, true
		}
	}
	return 0, false
}

// histogramCount returns the sample count of the histogram point of name
// with the attribute set want.
func (c collected) histogramCount(name string, want attribute.Set) (uint64, bool) {
	data, ok := c[name].Data.(metricdata.Histogram[float64])
	if !ok {
		return 0, false
	}
	for _, p := range data.DataPoints {
		if p.Attributes.Equals(&want) {
			return p.Count, true
		}
	}
	return 0, false
}

// points counts the data points of name.
func (c collected) points(name string) int {
	switch data := c[name].Data.(type) {
	case metricdata.Sum[int64]:
		return len(data.DataPoints)
	case metricdata.Gauge[int64]:
		return len(data.DataPoints)
	case metricdata.Histogram[float64]:
		return len(data.DataPoints)
	}
	return 0
}

type scopedReader struct {
	reader   *sdkmetric.ManualReader
	provider *sdkmetric.MeterProvider
}

func sdkReader(t *testing.T) scopedReader {
	t.Helper()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	t.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	return scopedReader{reader: reader, provider: mp}
}

// scopes lists the instrumentation scopes that reported data.
func (r scopedReader) scopes(t *testing.T) []string {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, r.reader.Collect(context.Background(), &rm))
	var names []string
	for _, sm := range rm.ScopeMetrics {
		names = append(names, sm.Scope.Name)
	}
	return names
}

func okHandler(*message.Message) ([]*message.Message, error) { return nil, nil }
