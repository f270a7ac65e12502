package tracing_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/tracing"
)

const (
	hostileTraceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	hostileParent  = "00-" + hostileTraceID + "-00f067aa0ba902b7-01"
)

// relayed handles in with tr's middleware, whose handler sends one message
// with its context through tr's publisher, and returns that message's
// metadata as it reached the transport.
func relayed(t *testing.T, tr *tracing.Tracing, in *message.Message) message.Metadata {
	t.Helper()
	inner := &capturePublisher{}
	pub, err := tr.DecoratePublisher(inner)
	require.NoError(t, err)
	_, err = tr.Middleware(func(m *message.Message) ([]*message.Message, error) {
		out := message.NewMessage("u-out", nil)
		out.SetContext(m.Context())
		return nil, pub.Publish("payments", out)
	})(in)
	require.NoError(t, err, "the message is handled")
	require.Len(t, inner.metadata, 1)
	return inner.metadata[0]
}

func tracingProviders(t *testing.T) map[string]*tracing.Tracing {
	t.Helper()
	recording, _, _ := recordingTracing(t, tracing.Config{})
	noop, err := tracing.New(tracing.Config{})
	require.NoError(t, err)
	return map[string]*tracing.Tracing{"sdk": recording, "noop": noop}
}

// A producer may send a tracestate of 32 members of over 500 bytes each.
// The consumer carries on at most 512 bytes of it, cut as the W3C rule
// says: long members first, then members from the end.
func TestMiddlewareCutsAnOversizeTraceState(t *testing.T) {
	members := []string{"keep=first", "long=" + strings.Repeat("x", 200)}
	for i := range 30 {
		members = append(members, fmt.Sprintf("v%02d=%s", i, strings.Repeat("y", 40)))
	}
	for name, tr := range tracingProviders(t) {
		t.Run(name, func(t *testing.T) {
			in := message.NewMessage("u-in", nil)
			in.Metadata.Set(sourceflow.MetaTraceParent, hostileParent)
			in.Metadata.Set(sourceflow.MetaTraceState, strings.Join(members, ","))

			out := relayed(t, tr, in)

			state := out.Get(sourceflow.MetaTraceState)
			assert.LessOrEqual(t, len(state), 512)
			assert.True(t, strings.HasPrefix(state, "keep=first,v00="), "members kept in order, the long one dropped: %q", state)
			assert.NotContains(t, state, "long=")
			assert.Contains(t, out.Get(sourceflow.MetaTraceParent), hostileTraceID, "the trace goes on")
		})
	}
}

// A tracestate within the bound is carried on unchanged.
func TestMiddlewareKeepsATraceStateWithinTheBound(t *testing.T) {
	for name, tr := range tracingProviders(t) {
		t.Run(name, func(t *testing.T) {
			in := message.NewMessage("u-in", nil)
			in.Metadata.Set(sourceflow.MetaTraceParent, hostileParent)
			in.Metadata.Set(sourceflow.MetaTraceState, "vendor=abc,other=x")

			out := relayed(t, tr, in)

			assert.Equal(t, "vendor=abc,other=x", out.Get(sourceflow.MetaTraceState))
		})
	}
}

// Invalid or oversize trace context is ignored: the message is handled, in
// a trace of its own or none.
func TestMiddlewareIgnoresInvalidTraceContext(t *testing.T) {
	tests := map[string][2]string{
		"garbage":            {"not-a-traceparent", ""},
		"oversize":           {hostileParent + strings.Repeat("-00", 10_000), ""},
		"zero trace id":      {"00-00000000000000000000000000000000-00f067aa0ba902b7-01", ""},
		"invalid tracestate": {hostileParent, "k=v,=,\x00"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tr, _, _ := recordingTracing(t, tracing.Config{})
			in := message.NewMessage("u-in", nil)
			in.Metadata.Set(sourceflow.MetaTraceParent, tc[0])
			if tc[1] != "" {
				in.Metadata.Set(sourceflow.MetaTraceState, tc[1])
			}

			out := relayed(t, tr, in)

			sc, err := trace.ParseTraceState(out.Get(sourceflow.MetaTraceState))
			require.NoError(t, err)
			assert.Zero(t, sc.Len(), "nothing of an invalid tracestate is carried on")
			assert.Regexp(t, `^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$`, out.Get(sourceflow.MetaTraceParent))
		})
	}
}
