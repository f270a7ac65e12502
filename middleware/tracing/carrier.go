package tracing

import (
	"github.com/ThreeDotsLabs/watermill/message"
	"go.opentelemetry.io/otel/propagation"
)

// MetadataCarrier adapts Watermill message metadata to OpenTelemetry's
// propagation.TextMapCarrier, so any TextMapPropagator can inject trace
// context into a message and extract it back. With the W3C TraceContext
// propagator the keys are sourceflow.MetaTraceParent and MetaTraceState.
type MetadataCarrier message.Metadata

var _ propagation.TextMapCarrier = MetadataCarrier(nil)

// Get returns the value stored under key, or "".
func (c MetadataCarrier) Get(key string) string { return c[key] }

// Set stores value under key.
func (c MetadataCarrier) Set(key, value string) { c[key] = value }

// Keys lists the keys present in the metadata.
func (c MetadataCarrier) Keys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	return keys
}
