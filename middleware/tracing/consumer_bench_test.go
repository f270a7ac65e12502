package tracing_test

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/tracing"
)

// BenchmarkConsumerSpan measures the consumer span of one message that
// carries the envelope and the delivery markers awsbus sets, with the span
// sampled and not.
func BenchmarkConsumerSpan(b *testing.B) {
	for _, tc := range []struct {
		name    string
		sampler sdktrace.Sampler
	}{{"sampled", sdktrace.AlwaysSample()}, {"not_sampled", sdktrace.NeverSample()}} {
		b.Run(tc.name, func(b *testing.B) {
			tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(tc.sampler))
			b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
			tr, err := tracing.New(tracing.Config{TracerProvider: tp})
			if err != nil {
				b.Fatal(err)
			}
			h := tr.Middleware(func(*message.Message) ([]*message.Message, error) { return nil, nil })
			msg := message.NewMessage("uuid-1", nil)
			for k, v := range map[string]string{sourceflow.MetaType: "orders.PlaceOrder", sourceflow.MetaEntityID: "order-1",
				sourceflow.MetaSequence: "7", sourceflow.MetaDeliveryCount: "2", sourceflow.MetaSubscription: "svc-orders-events",
				sourceflow.MetaDeadLetterQueue: "svc-orders-events-dlq"} {
				msg.Metadata.Set(k, v)
			}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				msg.SetContext(ctx)
				if _, err := h(msg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
