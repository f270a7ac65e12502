package tracing

import (
	"cmp"
	"errors"
	"fmt"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
)

// Values of the messaging.system attribute for the transports SourceFlow
// ships. The AWS values are those of the OpenTelemetry semantic conventions
// (v1.40: "aws_sqs" and "aws.sns"); "gochannel" names Watermill's in-process
// pub/sub (cqrs's ChannelTransport, and a PubSubTransport on it), which the
// conventions do not list, nor a database serving as a broker: sqlbus's
// messages travel through PostgreSQL or MySQL/MariaDB, named as the
// conventions' db.system.name names them ("postgresql", "mysql"; MariaDB
// through the MySQL dialect too). A service on sqlbus sets MessagingSystem
// to SQLBusSystem of its dialect: the default, SystemGoChannel, would be
// false there.
const (
	SystemGoChannel  = "gochannel"
	SystemAWSSQS     = "aws_sqs"
	SystemAWSSNS     = "aws.sns"
	SystemPostgreSQL = "postgresql"
	SystemMySQL      = "mysql"
)

// Config configures a Tracing. The zero value is valid: it traces into a
// no-op tracer provider (spans are not recorded, but trace context still
// passes through unchanged) with W3C TraceContext propagation.
type Config struct {
	// TracerProvider creates the tracer. Default: a no-op provider. The
	// global provider (otel.GetTracerProvider) is never used implicitly, so a
	// service opts in to tracing by passing its provider here.
	TracerProvider trace.TracerProvider
	// Propagator injects trace context into message metadata and extracts
	// it back. Default: propagation.TraceContext, which writes at most the
	// two metadata keys sourceflow.MetaTraceParent and MetaTraceState. A
	// composite with propagation.Baggage adds a "baggage" key, which counts
	// against the transport's attribute budget.
	Propagator propagation.TextMapPropagator
	// MessagingSystem is the messaging.system attribute of every span but
	// those EventMessagingSystem names, e.g. SystemAWSSQS, or on sqlbus
	// SQLBusSystem of its dialect. Default: SystemGoChannel, true of cqrs's
	// ChannelTransport only.
	MessagingSystem string
	// EventMessagingSystem is the messaging.system attribute of the producer
	// spans of events: messages whose context carries sourceflow.KindEvent,
	// as the cqrs package marks what it publishes. Default: MessagingSystem.
	// It serves a service whose events go through another system than its
	// commands, behind the one produce pipeline: with the AWS transport,
	// MessagingSystem SystemAWSSQS and EventMessagingSystem SystemAWSSNS.
	// Consumer spans keep MessagingSystem, the system messages are received
	// from.
	EventMessagingSystem string
	// InstrumentationScope is the tracer's instrumentation scope name.
	// Default: sourceflow.InstrumentationScope.
	InstrumentationScope string
	// LinkToProducer adds a span link from each consumer span to the
	// producer span, beside the parent-child relation (which is always set).
	// Off by default: a link costs a few microseconds per message and tells a
	// backend nothing the parent does not, unless the backend shows links only.
	LinkToProducer bool
	// RootConsumerSpans starts each consumer span as the root of a new
	// trace, linked to the producer span, instead of as its child. The
	// message's traceparent is the sender's to write: as a parent it picks
	// the trace the service's spans join and, under the SDK's default
	// ParentBased sampler, whether they are sampled, so a sender flagging
	// every message sampled has a service that samples little record and
	// export a span per message. Set it on a service whose queues take
	// messages from senders it does not trust (a queue shared with other
	// teams' or accounts' senders, one any principal of a wide policy may
	// write to); the link still leads from the consumer span to the
	// producer's, though a backend that follows parents only shows two
	// traces. The sender's baggage is not carried on to the handler either,
	// nor, with the no-op provider, its span context. Off by default: one trace per
	// request → send → process chain, as between services that trust each
	// other.
	RootConsumerSpans bool
}

func (c *Config) setDefaults() {
	if c.TracerProvider == nil {
		c.TracerProvider = noop.NewTracerProvider()
	}
	if c.Propagator == nil {
		c.Propagator = propagation.TraceContext{}
	}
	c.MessagingSystem = cmp.Or(c.MessagingSystem, SystemGoChannel)
	c.EventMessagingSystem = cmp.Or(c.EventMessagingSystem, c.MessagingSystem)
	c.InstrumentationScope = cmp.Or(c.InstrumentationScope, sourceflow.InstrumentationScope)
}

// Validate reports every problem of c at once. It is called by New after the
// defaults are applied, so it only fails for a Config used without New.
func (c Config) Validate() error {
	var errs []error
	if c.TracerProvider == nil {
		errs = append(errs, fmt.Errorf("%w: TracerProvider is nil", ErrInvalidConfig))
	}
	if c.Propagator == nil {
		errs = append(errs, fmt.Errorf("%w: Propagator is nil", ErrInvalidConfig))
	}
	if c.MessagingSystem == "" {
		errs = append(errs, fmt.Errorf("%w: MessagingSystem is empty", ErrInvalidConfig))
	}
	if c.InstrumentationScope == "" {
		errs = append(errs, fmt.Errorf("%w: InstrumentationScope is empty", ErrInvalidConfig))
	}
	for _, err := range []error{
		fieldcheck.NotTypedNil("TracerProvider", c.TracerProvider),
		fieldcheck.NotTypedNil("Propagator", c.Propagator),
	} {
		if err != nil {
			errs = append(errs, fmt.Errorf("%w: %w", ErrInvalidConfig, err))
		}
	}
	return errors.Join(errs...)
}
