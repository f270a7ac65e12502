package metrics_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/metrics"
	"github.com/sourceflow-go/sourceflow/middleware/tracing"
)

// BenchmarkPipeline measures one message's full hop — publish through the
// produce chain, gochannel delivery, the router's consume chain, a no-op
// handler, ack — with and without observability:
//
//   - bare: no tracing, no metrics;
//   - noop_providers: both packages with their default no-op providers;
//   - traced_metered: real SDK providers as a service runs them: every span
//     sampled (AlwaysSample) and handed to a BatchSpanProcessor with an
//     exporter that discards, every measurement aggregated by the metric SDK
//     (a ManualReader stands in for a pull exporter such as Prometheus).
//
// Publishing blocks until the subscriber acks, so each iteration is one
// complete send → process round trip. Compare ns/op of the sub-benchmarks.
func BenchmarkPipeline(b *testing.B) {
	b.Run("bare", func(b *testing.B) { benchPipeline(b, nil, nil) })
	b.Run("noop_providers", func(b *testing.B) {
		tr, m := observability(b, tracing.Config{}, metrics.Config{})
		benchPipeline(b, tr, m)
	})
	b.Run("traced_metered", func(b *testing.B) {
		tp := sdktrace.NewTracerProvider(
			sdktrace.WithSampler(sdktrace.AlwaysSample()),
			sdktrace.WithBatcher(discardExporter{}),
		)
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		b.Cleanup(func() {
			_ = tp.Shutdown(context.Background())
			_ = mp.Shutdown(context.Background())
		})
		tr, m := observability(b, tracing.Config{TracerProvider: tp}, metrics.Config{MeterProvider: mp})
		benchPipeline(b, tr, m)
	})
}

func observability(b *testing.B, tc tracing.Config, mc metrics.Config) (*tracing.Tracing, *metrics.Metrics) {
	b.Helper()
	tr, err := tracing.New(tc)
	if err != nil {
		b.Fatal(err)
	}
	m, err := metrics.New(mc)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = m.Close() })
	return tr, m
}

// benchPipeline runs b.N round trips; tr and m are both nil for the bare run.
func benchPipeline(b *testing.B, tr *tracing.Tracing, m *metrics.Metrics) {
	logger := watermill.NopLogger{}
	pubSub := gochannel.NewGoChannel(gochannel.Config{BlockPublishUntilSubscriberAck: true}, logger)
	b.Cleanup(func() { _ = pubSub.Close() })
	router, err := message.NewRouter(message.RouterConfig{}, logger)
	if err != nil {
		b.Fatal(err)
	}
	var pub message.Publisher = pubSub
	if tr != nil {
		router.AddMiddleware(tr.Middleware, m.Middleware)
		pub = mustDecorate(b, pub, m.DecoratePublisherAs(sourceflow.KindCommand), tr.DecoratePublisher)
	}
	router.AddConsumerHandler("bench", "orders", pubSub, func(*message.Message) error { return nil })
	go func() { _ = router.Run(context.Background()) }()
	<-router.Running()
	b.Cleanup(func() { _ = router.Close() })

	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		msg := message.NewMessage(watermill.NewUUID(), []byte(`{"order":"o-1","amount":42}`))
		msg.Metadata.Set(sourceflow.MetaType, "orders.CreateOrder")
		msg.Metadata.Set(sourceflow.MetaMessageID, msg.UUID)
		msg.Metadata.Set(sourceflow.MetaEntityID, "o-1")
		msg.Metadata.Set(sourceflow.MetaSequence, strconv.Itoa(i))
		msg.SetContext(ctx)
		if err := pub.Publish("orders", msg); err != nil {
			b.Fatal(err)
		}
	}
}

// mustDecorate applies decorators innermost first.
func mustDecorate(b *testing.B, pub message.Publisher, decorators ...message.PublisherDecorator) message.Publisher {
	b.Helper()
	for _, d := range decorators {
		var err error
		if pub, err = d(pub); err != nil {
			b.Fatal(err)
		}
	}
	return pub
}

// discardExporter exports spans nowhere.
type discardExporter struct{}

func (discardExporter) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discardExporter) Shutdown(context.Context) error                             { return nil }
