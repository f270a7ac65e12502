package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// observability holds the OpenTelemetry providers of a run: no-op unless a
// flag asks for traces (-print-traces) or metrics (-metrics-addr).
type observability struct {
	tp     *sdktrace.TracerProvider
	mp     *sdkmetric.MeterProvider
	spans  *spanLog
	server *http.Server
	addr   string
	// health is the transports' health, set once they are built, while
	// /healthz may already be serving.
	health atomic.Pointer[healthFunc]
	// shared is the last round of health checks, which /healthz reuses
	// for healthCacheTTL.
	shared sharedHealth
	// healthDetails (-health-details) adds the checks' report to /healthz.
	healthDetails bool
}

// healthFunc reports whether the transports (and the shared store) are
// up, and their report.
type healthFunc func(ctx context.Context) (bool, any)

func newObservability(opts options) (*observability, error) {
	o := &observability{healthDetails: opts.healthDetails}
	if opts.printTraces {
		o.spans = &spanLog{byTrace: map[trace.TraceID][]string{}}
		o.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(o.spans))
	}
	if opts.metricsAddr == "" {
		return o, nil
	}
	reg := prometheus.NewRegistry()
	exporter, err := otelprom.New(otelprom.WithRegisterer(reg))
	if err != nil {
		return nil, fmt.Errorf("prometheus exporter: %w", err)
	}
	o.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter))
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/healthz", o.serveHealth)
	mux.HandleFunc("/livez", serveLive)
	ln, err := net.Listen("tcp", opts.metricsAddr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", opts.metricsAddr, err)
	}
	o.addr = ln.Addr().String()
	o.server = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = o.server.Serve(ln) }()
	return o, nil
}

// serveHealth answers 200 when the transports and the shared store are
// up, 503 otherwise, with {"up":…} and, with -health-details, their report
// naming what failed. It calls SQS, SNS and the shared store's database
// (-store postgres, sqlite, dynamodb: storeHealth), at most one round at a
// time and once per healthCacheTTL however often it is asked. It is a
// readiness check (take the instance out of the load balancer while they
// fail), never a liveness probe, which would restart every instance
// during their outage; that is /livez (serveLive).
func (o *observability) serveHealth(w http.ResponseWriter, r *http.Request) {
	up, details := false, any("not started")
	if h := o.health.Load(); h != nil {
		up, details = o.shared.check(r.Context(), *h)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if !up {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	body := map[string]any{"up": up}
	if o.healthDetails {
		body["details"] = details
	}
	_ = json.NewEncoder(w).Encode(body)
}

// serveLive answers 200 while the process serves HTTP: the liveness
// probe, which calls no dependency, so that an outage of SQS, SNS or
// DynamoDB, which /healthz reports, restarts no instance.
func serveLive(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"up":true}` + "\n"))
}

func (o *observability) tracerProvider() trace.TracerProvider {
	if o.tp == nil {
		return noop.NewTracerProvider()
	}
	return o.tp
}

func (o *observability) meterProvider() metric.MeterProvider {
	if o.mp == nil {
		return metricnoop.NewMeterProvider()
	}
	return o.mp
}

func (o *observability) shutdown(ctx context.Context) error {
	var errs []error
	if o.server != nil {
		errs = append(errs, o.server.Shutdown(ctx))
	}
	if o.mp != nil {
		errs = append(errs, o.mp.Shutdown(ctx))
	}
	if o.tp != nil {
		errs = append(errs, o.tp.Shutdown(ctx))
	}
	return errors.Join(errs...)
}

// spanLog is a span processor that remembers the span names of each trace.
type spanLog struct {
	mu      sync.Mutex
	byTrace map[trace.TraceID][]string
	order   []trace.TraceID
}

func (l *spanLog) OnStart(context.Context, sdktrace.ReadWriteSpan) {}

func (l *spanLog) OnEnd(s sdktrace.ReadOnlySpan) {
	id := s.SpanContext().TraceID()
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.byTrace[id]; !ok {
		l.order = append(l.order, id)
	}
	l.byTrace[id] = append(l.byTrace[id], s.Name())
}

func (l *spanLog) Shutdown(context.Context) error   { return nil }
func (l *spanLog) ForceFlush(context.Context) error { return nil }

// print writes the number of traces and the spans of the first few.
func (l *spanLog) print(w io.Writer, first int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(w, "traces:             %d\n", len(l.order))
	for _, id := range l.order[:min(first, len(l.order))] {
		names := append([]string(nil), l.byTrace[id]...)
		sort.Strings(names)
		fmt.Fprintf(w, "  trace %s: %d spans (%s)\n", id, len(names), strings.Join(names, ", "))
	}
}
