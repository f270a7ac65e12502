//go:build integration

package integration

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/middleware"
	"github.com/sourceflow-go/sourceflow/middleware/metrics"
	"github.com/sourceflow-go/sourceflow/middleware/tracing"
)

// Behaviours of the obs rig's PayOrder handler, chosen by the command's
// Amount.
const (
	obsOK        = 1 // handled at once
	obsPoison    = 3 // fails permanently: dead-lettered
	obsFlaky     = 4 // fails twice, the retry middleware's third run succeeds
	obsRedeliver = 5 // fails every run of its first delivery, succeeds on the next
	obsNeverOK   = 6 // fails every run of every delivery: dead-lettered at the queue's last receive
)

// obsRig is three services on the AWS emulator as an SRE sees them: A sends
// PayOrder to B's queue, B's saga raises OrderPaid on a topic, C projects
// it. All three record spans into one recorder and metrics into one
// ManualReader, and their transports log into one capture logger.
type obsRig struct {
	rec       *tracetest.SpanRecorder
	reader    *sdkmetric.ManualReader
	logs      *watermill.CaptureLoggerAdapter
	agg       *cqrs.Aggregate
	payQ      string
	paidTopic string
	projected sync.Map // message id of the PayOrder whose OrderPaid C projected → true

	mu   sync.Mutex
	runs map[string]int // PayOrder message id → handler runs
}

func newObsRig(t *testing.T) *obsRig {
	t.Helper()
	r := &obsRig{rec: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader(),
		logs: watermill.NewCaptureLogger(), runs: map[string]int{},
		payQ: uniqueName("obs-pay", ""), paidTopic: uniqueName("obs-paid", "")}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(r.rec))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(r.reader))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()); _ = mp.Shutdown(context.Background()) })
	tr, err := tracing.New(tracing.Config{TracerProvider: tp,
		MessagingSystem: tracing.SystemAWSSQS, EventMessagingSystem: tracing.SystemAWSSNS})
	require.NoError(t, err)
	a, b, c := r.service(t, tr, mp, "obs-a"), r.service(t, tr, mp, "obs-b", r.payQ), r.service(t, tr, mp, "obs-c", r.paidTopic)
	r.wire(t, a, b, c)
	startModel(t, b, c, a)
	return r
}

// service builds one service of the rig on its own awsbus transport, with
// tracing, metrics (depth polled every 200ms, dead letters and the handler
// retries of its own Retrier), idempotency and retry (two retries), and
// registers the rig's types.
func (r *obsRig) service(t *testing.T, tr *tracing.Tracing, mp *sdkmetric.MeterProvider, name string, listen ...string) *cqrs.Service {
	t.Helper()
	retrier, err := middleware.NewRetrier(middleware.RetryConfig{Policy: sourceflow.RetryPolicy{
		MaxRetries: 2, InitialInterval: 10 * time.Millisecond, MaxInterval: 20 * time.Millisecond}})
	require.NoError(t, err)
	transport, err := awsbus.NewTransportFromAWS(awsConfig(t), awsbus.Config{Logger: r.logs, MaxReceiveCount: 4,
		ConsumerConfig: awsbus.ConsumerConfig{WaitTime: time.Second, VisibilityTimeout: 10 * time.Second, ShutdownTimeout: 5 * time.Second}})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, transport.Close()) })
	m, err := metrics.New(metrics.Config{MeterProvider: mp, Depth: metrics.DepthFunc(transport.Depths),
		DepthInterval: 200 * time.Millisecond, DeadLetters: []metrics.DeadLetterSource{transport},
		HandlerRetries: []metrics.HandlerRetrySource{metrics.HandlerRetriesFunc(func() (int64, int64) {
			s := retrier.Stats()
			return s.Retries, s.GaveUp
		})}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Close() })
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: name, Listen: listen, Transport: transport,
		CloseTimeout:        10 * time.Second,
		HandlerMiddleware:   []message.HandlerMiddleware{tr.Middleware, m.Middleware, memoryIdempotency(t), retrier.Middleware},
		PublisherDecorators: []message.PublisherDecorator{tr.DecoratePublisher, m.DecoratePublisher}})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, svc.Close()) })
	require.NoError(t, cqrs.RegisterCommand[PayOrder](svc, "model.PayOrder", r.payQ))
	require.NoError(t, cqrs.RegisterEvent[OrderPaid](svc, "model.OrderPaid", r.paidTopic))
	return svc
}

// wire registers B's saga, C's view and A's aggregate.
func (r *obsRig) wire(t *testing.T, a, b, c *cqrs.Service) {
	t.Helper()
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[Payment](b, "payment"), func(_ context.Context, s *Payment, cmd PayOrder, env cqrs.Envelope) ([]any, error) {
		r.mu.Lock()
		r.runs[env.MessageID]++
		run := r.runs[env.MessageID]
		r.mu.Unlock()
		switch {
		case cmd.Amount == obsPoison:
			return nil, sourceflow.Permanent(errors.New("card refused for good"))
		case cmd.Amount == obsFlaky && run <= 2:
			return nil, errors.New("payment gateway timeout")
		case cmd.Amount == obsRedeliver && run <= 3:
			return nil, errors.New("payment gateway down")
		case cmd.Amount == obsNeverOK:
			return nil, errors.New("payment gateway down for good")
		}
		s.Amount += cmd.Amount
		return []any{OrderPaid(cmd)}, nil
	}))
	require.NoError(t, cqrs.Project(cqrs.NewView[OrderSummary](c, "summary"), func(_ context.Context, m *OrderSummary, e OrderPaid, env cqrs.Envelope) error {
		r.projected.Store(env.CausationID, true)
		m.Amount += e.Amount
		return nil
	}))
	r.agg = cqrs.NewAggregate(a, "order")
}

// send sends PayOrder{amount} for entity, in a trace of its own, and
// returns the command's envelope.
func (r *obsRig) send(t *testing.T, entity string, amount int) cqrs.Envelope {
	t.Helper()
	env, err := r.agg.Send(context.Background(), entity, PayOrder{Amount: amount})
	require.NoError(t, err)
	return env
}

// spansOf returns the ended spans whose messaging.message.id is id.
func (r *obsRig) spansOf(id string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range r.rec.Ended() {
		if spanAttr(s, "messaging.message.id") == id {
			out = append(out, s)
		}
	}
	return out
}

// spanAttr returns the value of key on s as text ("" when absent).
func spanAttr(s sdktrace.ReadOnlySpan, key attribute.Key) string {
	for _, kv := range s.Attributes() {
		if kv.Key == key {
			return kv.Value.String()
		}
	}
	return ""
}

// collect returns the metrics collected now, by instrument name.
func (r *obsRig) collect(t require.TestingT) map[string]metricdata.Aggregation {
	var rm metricdata.ResourceMetrics
	require.NoError(t, r.reader.Collect(context.Background(), &rm))
	out := map[string]metricdata.Aggregation{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			out[m.Name] = m.Data
		}
	}
	return out
}

// destinations returns the queues an instrument's data points name: their
// messaging.destination.subscription.name when they have one (an event's
// queue subscribed to its topic), else their messaging.destination.name.
func destinations(agg metricdata.Aggregation) []string {
	var sets []attribute.Set
	switch d := agg.(type) {
	case metricdata.Sum[int64]:
		for _, p := range d.DataPoints {
			sets = append(sets, p.Attributes)
		}
	case metricdata.Gauge[int64]:
		for _, p := range d.DataPoints {
			sets = append(sets, p.Attributes)
		}
	case metricdata.Histogram[float64]:
		for _, p := range d.DataPoints {
			sets = append(sets, p.Attributes)
		}
	}
	var out []string
	for _, s := range sets {
		v, ok := s.Value(metrics.AttrSubscription)
		if !ok {
			v, ok = s.Value(metrics.AttrDestination)
		}
		if ok && !strings.Contains(strings.Join(out, "\n"), v.AsString()) {
			out = append(out, v.AsString())
		}
	}
	return out
}

// metricdataSum is an int64 counter's data.
type metricdataSum = metricdata.Sum[int64]
