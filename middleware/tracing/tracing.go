package tracing

import (
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// Tracing creates producer spans for published messages and consumer spans
// for handled ones, and carries W3C trace context between them in message
// metadata. One Tracing is safe for concurrent use by any number of
// publishers and router handlers.
type Tracing struct {
	tracer     trace.Tracer
	propagator propagation.TextMapPropagator
	system     string
	// eventSystem is the messaging.system of events' producer spans.
	eventSystem string
	// recording is false for the no-op provider, whose spans never record:
	// their attributes are then not computed.
	recording bool
	link      bool
	root      bool // Config.RootConsumerSpans
	templates templates
}

// New returns a Tracing configured by cfg (see Config for the defaults).
func New(cfg Config) (*Tracing, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	_, isNoop := cfg.TracerProvider.(noop.TracerProvider)
	return &Tracing{
		tracer:      cfg.TracerProvider.Tracer(cfg.InstrumentationScope),
		propagator:  cfg.Propagator,
		system:      cfg.MessagingSystem,
		eventSystem: cfg.EventMessagingSystem,
		recording:   !isNoop,
		link:        cfg.LinkToProducer,
		root:        cfg.RootConsumerSpans,
	}, nil
}
