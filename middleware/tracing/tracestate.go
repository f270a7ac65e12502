package tracing

import (
	"context"
	"strings"

	"go.opentelemetry.io/otel/trace"
)

// Bounds on the tracestate a consumer carries on to the messages its
// handler sends, after the W3C Trace Context truncation rule: a tracestate
// over maxTraceState bytes loses its list-members over maxTraceStateMember
// bytes, then members from its end until it fits. A producer can send up
// to 32 members of over 500 bytes each; without the bound, every message
// of the chain after it would carry them.
const (
	maxTraceState       = 512
	maxTraceStateMember = 128
)

// boundTraceState returns ctx with the tracestate of its remote span
// context cut to maxTraceState bytes; ctx itself when it fits.
func boundTraceState(ctx context.Context) context.Context {
	sc := trace.SpanContextFromContext(ctx)
	ts := sc.TraceState()
	if !sc.IsRemote() || ts.Len() == 0 || traceStateLength(ts) <= maxTraceState {
		return ctx
	}
	kept := make([]string, 0, ts.Len())
	size := 0
	ts.Walk(func(key, value string) bool {
		member := len(key) + 1 + len(value)
		if member > maxTraceStateMember {
			return true
		}
		if size+member > maxTraceState {
			return false
		}
		kept = append(kept, key+"="+value)
		size += member + 1 // and the comma
		return true
	})
	cut, err := trace.ParseTraceState(strings.Join(kept, ","))
	if err != nil { // members of a parsed tracestate parse again; keep none if not
		cut = trace.TraceState{}
	}
	return trace.ContextWithRemoteSpanContext(ctx, sc.WithTraceState(cut))
}

// traceStateLength is the length of ts as a header value.
func traceStateLength(ts trace.TraceState) int {
	n := ts.Len() - 1 // the commas
	ts.Walk(func(key, value string) bool {
		n += len(key) + 1 + len(value)
		return true
	})
	return n
}
