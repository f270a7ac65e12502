package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// observability holds the OpenTelemetry providers of a run: no-op unless a
// flag asks for traces or metrics.
type observability struct {
	tp    *sdktrace.TracerProvider
	spans *spanLog
}

func newObservability(opts options) *observability {
	o := &observability{}
	if opts.printTraces {
		o.spans = &spanLog{byTrace: map[trace.TraceID][]string{}}
		o.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(o.spans))
	}
	return o
}

func (o *observability) tracerProvider() trace.TracerProvider {
	if o.tp == nil {
		return noop.NewTracerProvider()
	}
	return o.tp
}

func (o *observability) shutdown(ctx context.Context) error {
	if o.tp == nil {
		return nil
	}
	return o.tp.Shutdown(ctx)
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
