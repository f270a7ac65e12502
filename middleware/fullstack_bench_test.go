package middleware_test

import (
	"context"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/middleware"
	"github.com/sourceflow-go/sourceflow/middleware/metrics"
	"github.com/sourceflow-go/sourceflow/middleware/tracing"
)

// BenchmarkFullStack pushes the same messages through a bare Watermill
// router on gochannel and through a router with the product's full stack
// (Recover, Correlation, tracing, metrics, idempotency on the memory store,
// Retry; Correlation, tracing and metrics on the publisher), in one run,
// alternating rounds of 1,000 messages so both see the same machine. One
// no-op handler; each publish waits for the handler's ack. Reported per
// message: each router's ns and allocations, and throughput_ratio, the full
// stack's throughput as a share of the bare router's.
//
// Variants: noop (OTel's no-op providers, the default when none is
// configured); sampled_10pct (SDK providers, parent-based sampler at ratio
// 0.1, batch span processor to an exporter that discards, metrics SDK with
// a manual reader); always_on (the same, every span sampled).
//
//	go test -run '^$' -bench BenchmarkFullStack -benchtime 100000x ./middleware
func BenchmarkFullStack(b *testing.B) {
	variants := []struct {
		name    string
		sampler sdktrace.Sampler // nil: no-op providers
	}{
		{"noop", nil},
		{"sampled_10pct", sdktrace.ParentBased(sdktrace.TraceIDRatioBased(0.1))},
		{"always_on", sdktrace.AlwaysSample()},
	}
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			bare := newBenchRouter(b, nil)
			full := newBenchRouter(b, newBenchStack(b, v.sampler))
			var bareT, fullT time.Duration
			var bareA, fullA uint64
			b.ResetTimer()
			for done := 0; done < b.N; {
				n := min(1000, b.N-done)
				t, a := bare.push(b, n)
				bareT, bareA = bareT+t, bareA+a
				t, a = full.push(b, n)
				fullT, fullA = fullT+t, fullA+a
				done += n
			}
			b.StopTimer()
			n := float64(b.N)
			b.ReportMetric(float64(bareT.Nanoseconds())/n, "bare_ns/msg")
			b.ReportMetric(float64(fullT.Nanoseconds())/n, "full_ns/msg")
			b.ReportMetric(float64(bareA)/n, "bare_allocs/msg")
			b.ReportMetric(float64(fullA)/n, "full_allocs/msg")
			b.ReportMetric(float64(bareT)/float64(fullT), "throughput_ratio")
		})
	}
}

// benchRouter is a router with one no-op handler on gochannel, and the
// publisher the benchmark sends through.
type benchRouter struct {
	pub     message.Publisher
	handled atomic.Int64
	seq     int
}

func newBenchRouter(b *testing.B, stack *middleware.Stack) *benchRouter {
	b.Helper()
	logger := watermill.NopLogger{}
	pubSub := gochannel.NewGoChannel(gochannel.Config{BlockPublishUntilSubscriberAck: true}, logger)
	router, err := message.NewRouter(message.RouterConfig{}, logger)
	if err != nil {
		b.Fatal(err)
	}
	r := &benchRouter{pub: pubSub}
	if stack != nil {
		router.AddMiddleware(stack.HandlerMiddlewares()...)
		if r.pub, err = stack.DecoratePublisher(pubSub); err != nil {
			b.Fatal(err)
		}
	}
	router.AddConsumerHandler("bench", "orders", pubSub, func(*message.Message) error {
		r.handled.Add(1)
		return nil
	})
	go func() { _ = router.Run(context.Background()) }()
	<-router.Running()
	b.Cleanup(func() {
		_ = router.Close()
		_ = pubSub.Close()
	})
	return r
}

// push publishes n messages, each acked before the next, and returns the
// time and heap allocations they took.
func (r *benchRouter) push(b *testing.B, n int) (time.Duration, uint64) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	for range n {
		r.seq++
		msg := message.NewMessage(watermill.NewUUID(), []byte(`{"order":"o-1","amount":42}`))
		msg.Metadata.Set(sourceflow.MetaType, "orders.CreateOrder")
		msg.Metadata.Set(sourceflow.MetaMessageID, msg.UUID)
		msg.Metadata.Set(sourceflow.MetaEntityID, "o-1")
		msg.Metadata.Set(sourceflow.MetaSequence, strconv.Itoa(r.seq))
		if err := r.pub.Publish("orders", msg); err != nil {
			b.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	if got := r.handled.Load(); got < int64(r.seq) {
		b.Fatalf("handled %d of %d messages", got, r.seq)
	}
	return elapsed, after.Mallocs - before.Mallocs
}

// newBenchStack is the product's full stack as a service wires it; sampler
// nil means OTel's no-op providers.
func newBenchStack(b *testing.B, sampler sdktrace.Sampler) *middleware.Stack {
	b.Helper()
	var tc tracing.Config
	var mc metrics.Config
	if sampler != nil {
		tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sampler), sdktrace.WithBatcher(benchDiscard{}))
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		b.Cleanup(func() {
			_ = tp.Shutdown(context.Background())
			_ = mp.Shutdown(context.Background())
		})
		tc.TracerProvider, mc.MeterProvider = tp, mp
	}
	tr, err := tracing.New(tc)
	if err != nil {
		b.Fatal(err)
	}
	m, err := metrics.New(mc)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = m.Close() })
	store, err := idempotency.NewMemoryStore(idempotency.MemoryStoreConfig{MaxEntries: 1 << 20})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = store.Close() })
	idem, err := idempotency.NewMiddleware(store, idempotency.MiddlewareConfig{Consumer: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	retry, err := middleware.NewRetry(middleware.RetryConfig{})
	if err != nil {
		b.Fatal(err)
	}
	s := middleware.NewStack()
	err = s.Add(
		middleware.Step{Name: "recover", Consume: middleware.ConsumeRecover, Middleware: middleware.Recover},
		middleware.Step{Name: "tracing", Consume: middleware.ConsumeTracing, Middleware: tr.Middleware, Produce: middleware.ProduceTracing, Decorator: tr.DecoratePublisher},
		middleware.Step{Name: "correlation", Produce: middleware.ProduceCorrelation, Decorator: middleware.CorrelatePublisher},
		middleware.Step{Name: "metrics", Consume: middleware.ConsumeMetrics, Middleware: m.Middleware, Produce: middleware.ProduceMetrics, Decorator: m.DecoratePublisher},
		middleware.Step{Name: "idempotency", Consume: middleware.ConsumeIdempotency, Middleware: idem.Middleware},
		middleware.Step{Name: "retry", Consume: middleware.ConsumeRetry, Middleware: retry},
	)
	if err == nil {
		err = s.Insert("tracing", middleware.Before, "correlation", middleware.Correlation)
	}
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// benchDiscard exports spans nowhere.
type benchDiscard struct{}

func (benchDiscard) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (benchDiscard) Shutdown(context.Context) error                             { return nil }
