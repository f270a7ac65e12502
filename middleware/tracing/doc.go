// Package tracing is SourceFlow's OpenTelemetry tracing for Watermill message
// pipelines: a producer span per published message, a consumer span per
// handled message, and W3C trace context carried between them in message
// metadata, so that one trace follows a command or event across services and
// transports.
//
// # Usage
//
// Create one Tracing and place its two halves in the pipeline:
//
//	tr, err := tracing.New(tracing.Config{TracerProvider: tp,
//		MessagingSystem: tracing.SystemAWSSQS, EventMessagingSystem: tracing.SystemAWSSNS})
//	if err != nil {
//		return err
//	}
//	router.AddMiddleware(tr.Middleware)            // consume side
//	pub, err := tr.DecoratePublisher(transportPub) // produce side
//	if err != nil {
//		return err
//	}
//
// Tracing.DecoratePublisher is a message.PublisherDecorator and
// Tracing.Middleware a message.HandlerMiddleware, so the package depends on
// no other SourceFlow package and any Watermill pipeline can use it. With a
// cqrs.Service, place them through middleware.Stack in
// cqrs.ServiceConfig.HandlerMiddleware and PublisherDecorators: a router's
// own middleware and publisher decorators do not reach the service's
// pipeline and sends (see the middleware package).
//
// # Spans
//
// Span names, kinds and attributes follow the OpenTelemetry messaging
// semantic conventions (v1.40): "send <destination>" (kind Producer,
// messaging.operation.type "send") and "process <destination>" (kind
// Consumer, "process"), with messaging.system, messaging.destination.name,
// messaging.operation.name and messaging.message.id. The message id is the
// logical SourceFlow id (sourceflow.MetaMessageID), stable across retries,
// or the Watermill UUID when the message has none. SourceFlow adds
// sourceflow.type, sourceflow.entity.id and sourceflow.sequence from the
// envelope, and sourceflow.handler on consumer spans. The sender writes the
// id and the envelope, so each of these is cut to 256 bytes (ending "…"):
// one message cannot make spans too large for the backend. Tracing
// backends keep what they receive: keep personal and card data out of
// entity ids and message ids. A failed Publish or handler sets the span
// status to Error, records the error (a panic's value as
// sourceflow.PanicError describes it; the text in the status and the
// exception event cut to 512 bytes, as an error may quote what the sender
// wrote) and sets error.type: "panic" (a
// panic, also one recovered below into an error matching
// sourceflow.ErrPanic, as cqrs's dispatcher does), "permanent"
// (sourceflow.IsPermanent) or "transient" (the metrics middleware has no
// "panic": it counts a panic as permanent or transient, after its value);
// payloads are never recorded.
//
// A consumer span also shows the delivery as the transport marks it
// (awsbus, cqrs's ChannelTransport and PubSubTransport, so sqlbus; see
// sourceflow.MetaDeliveryCount; a sender's own markers are dropped):
// messaging.message.delivery_count (1 for the first delivery; the
// conventions have no generic key, this one follows their system-specific
// ones), messaging.destination.subscription.name for an event received from
// a queue subscribed to its topic, and, when the handler's failure makes
// the transport dead-letter the message (a permanent failure marked for
// it, or any on the last delivery the queue or transport allows), a "sourceflow.dead_letter"
// event with sourceflow.dead_letter.queue (the dead-letter queue, a
// PubSubTransport's or sqlbus's dead-letter topic, or
// cqrs.ChannelDeadLetters) and sourceflow.dead_letter.reason ("permanent"
// or "last_delivery"); the copy happens after the span ends, and one that
// fails is in the transport's log. PubSubTransport (so sqlbus) hands a
// last delivery that found the message held elsewhere
// (sourceflow.ErrInProgress) back to its Pub/Sub: that span has no event.
// A permanent failure is marked for the transport (sourceflow.MetaFailure)
// inside a cqrs service's mark, around its ServiceConfig.HandlerMiddleware
// (sourceflow.FailuresMarked); one returned outside it (a plain Watermill
// router's handler, router-level middleware) is delivered again like any
// failure, so its span has the event only on the last delivery, for
// "last_delivery". A failure while the subscription drains (Close):
// PubSubTransport hands it back to its Pub/Sub, on its last delivery too
// (whose span has the event all the same, as the hand-back is not
// foreseen), and ChannelTransport dead-letters it, before its last
// delivery too, telling the span so (sourceflow.IsLastDelivery): it has
// the event, for "last_delivery", unless it failed at the very moment the
// drain began; a message that failed before the drain and waits for its
// next delivery is dead-lettered too, its span (ended) without the event.
// Each failed handler run that middleware.Retry, or the idempotency
// middleware's TxRetry, runs again adds an exception event with
// sourceflow.retry.run, its number.
//
// The exception event of a failure names, in exception.type, the type of
// the handler's own error: through the errors that only carry it out of
// the pipeline (the cqrs dispatcher's fmt.Errorf, a join of one, the
// permanent and retry-after marks); a join of several errors keeps its
// own.
//
// messaging.system is Config.MessagingSystem, but on the producer spans of
// events (sourceflow.KindEvent in the message context) it is
// Config.EventMessagingSystem, so that one produce pipeline sending commands
// to SQS and events to SNS labels each with its system. The default,
// "gochannel", is true of the in-process transports only: on sqlbus set
// SQLBusSystem of its dialect ("postgresql" or "mysql").
//
// A span starts with messaging.system, messaging.operation.type and .name
// and messaging.destination.name, built once per destination, so a sampler
// sees those; the message's own attributes (id, type, entity, sequence,
// handler) are set after the start and only on a span that records, so an
// unsampled message costs nothing for them. With the no-op provider (the
// default) no span is started at all: the middleware and the publisher only
// carry the trace context on, so a trace begun upstream still reaches the
// handler and the messages it sends.
//
// # Parentage
//
// Watermill's Publish takes no context, so the decorator starts each producer
// span from msg.Context(). The consumer span is a child of the producer span
// extracted from the metadata (with Config.LinkToProducer it also links to
// it), which keeps a
// request → send → process → send chain in one trace. The consumer span's
// context replaces msg.Context(), so handlers and the messages they send with
// that context continue the trace.
//
// The traceparent is the sender's to write, so as a parent it picks the
// trace the consumer span joins and, under the SDK's default ParentBased
// sampler, whether it is sampled. On a queue shared with senders the service
// does not trust, set Config.RootConsumerSpans: each consumer span is then
// the root of a new trace, sampled by the service's own sampler, with a link
// to the producer span.
//
// A message sent into an outbox travels on when the outbox's relay
// forwards it. Tracing.RelayObserver, given to the SQL outbox's
// Config.RelayObservers or cqrs/dynamostore's OutboxConfig.RelayObservers,
// starts a producer span "relay <destination>" per attempt
// (messaging.operation.type "send", messaging.operation.name "relay"), the
// child of the send span whose context the outbox row carries, and writes
// its context into the forwarded message, so the chain reads
// send → relay → process; a failed attempt has status Error and
// error.type, "panic" for a publish that panicked when the relay runs it
// through sourceflow.RunRelay (the span ends, and the panic goes on).
//
// # Propagation and the attribute budget
//
// The default propagator is propagation.TraceContext, which writes
// sourceflow.MetaTraceParent and, only when non-empty,
// sourceflow.MetaTraceState: at most two of the ten message attributes SQS
// and SNS allow. Any other propagation.TextMapPropagator may be configured;
// MetadataCarrier adapts message metadata for it.
//
// Trace context in metadata comes from whoever produced the message, so the
// consumer trusts it no further than the W3C rules: an invalid traceparent
// or tracestate is ignored (the message is handled in a trace of its own),
// and a tracestate over 512 bytes is cut to 512 (members over 128 bytes
// first, then from the end) before the handler's sends carry it on.
//
// # Defaults
//
// The zero Config uses a no-op tracer provider, never the global one: a
// service enables tracing by passing its provider. With the no-op provider
// no span is recorded, yet trace context received in metadata passes through
// to the messages a handler sends. The instrumentation scope defaults to
// "SourceFlow.Cloud.AWS" and messaging.system to "gochannel" (set it for
// another transport: see SystemAWSSQS, SQLBusSystem).
//
// # Placement
//
// Consume side: after Recover, before metrics, idempotency, decryption and
// retry, so every later phase runs inside the consumer span. Produce side:
// after correlation and before encryption and metrics, so the trace keys
// travel unencrypted beside the body.
package tracing
