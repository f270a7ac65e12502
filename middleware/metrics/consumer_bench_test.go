package metrics_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/metrics"
)

// BenchmarkConsume is the cost of the consume-side middleware per message
// on an SDK meter provider, for a message that carries its sending time
// (sourceflow.MetaOccurredAt), as every message the cqrs package sends
// does.
func BenchmarkConsume(b *testing.B) {
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	b.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
	m, err := metrics.New(metrics.Config{MeterProvider: mp})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = m.Close() })
	h := m.Middleware(func(*message.Message) ([]*message.Message, error) { return nil, nil })
	msg := typed("orders.CreateOrder")
	msg.Metadata.Set(sourceflow.MetaOccurredAt, time.Now().UTC().Format(time.RFC3339Nano))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h(msg); err != nil {
			b.Fatal(err)
		}
	}
}
