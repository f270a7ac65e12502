// Package metrics is SourceFlow's OpenTelemetry metrics for Watermill message
// pipelines: counts and durations of sent commands, published events and
// handled messages, plus observed KMS, idempotency, queue-depth, dead-letter
// and handler-retry figures.
//
// # Usage
//
//	m, err := metrics.New(metrics.Config{MeterProvider: mp, Depth: transport})
//	if err != nil {
//		return err
//	}
//	defer m.Close()
//	router.AddMiddleware(m.Middleware) // consume side
//	cmdPub, err := m.DecoratePublisherAs(sourceflow.KindCommand)(sqsPub) // produce side
//	if err != nil {
//		return err
//	}
//	evtPub, err := m.DecoratePublisherAs(sourceflow.KindEvent)(snsPub)
//	if err != nil {
//		return err
//	}
//
// Metrics.Middleware is a message.HandlerMiddleware and DecoratePublisherAs
// returns a message.PublisherDecorator (DecoratePublisher is one that takes
// the kind from the message context), so the package depends on no other
// SourceFlow package. With a cqrs.Service, place them through
// middleware.Stack in cqrs.ServiceConfig.HandlerMiddleware and
// PublisherDecorators: a router's own middleware and publisher decorators
// do not reach the service's pipeline and sends (see the middleware
// package).
//
// # Instruments
//
// The names are SourceFlow.Net's (see the Name constants):
// sourceflow.aws.command.{dispatched,dispatch_duration,dispatch_error},
// sourceflow.aws.event.{published,publish_duration,publish_error} and
// sourceflow.aws.message.{received,processed,processing_duration}, each with
// the attributes sourceflow.type (the registered type name, or "unknown";
// OtherType for a type longer than 256 bytes or not valid UTF-8, or past
// the bounds: 400 types in all, 128 on a destination; so a producer's
// junk types cannot grow the series without bound nor push real ones into
// the SDK's overflow series. A type a consumer receives gets series of its
// own when first seen only while trial slots are free, 32 on a destination
// and 100 in all; it keeps them, and frees its slot, once one of its
// messages succeeded. A type first seen with no trial slot free is
// recorded as OtherType until one of its messages succeeded, and as
// itself from the next one on. So junk types, refused for good, take the
// trial slots only, never a real type's place. A type a publisher sends
// gets series of its own when first seen) and
// messaging.destination.name, plus, on the consume side,
// messaging.destination.subscription.name for a message the transport
// received from a queue subscribed to that destination (awsbus's event
// queue of an SNS topic, sourceflow.MetaSubscription: the queue the depth
// gauge reports under messaging.destination.name, so an event's
// throughput joins its queue's backlog); processed and processing_duration add
// sourceflow.outcome (success, error, duplicate or filtered) and, on errors,
// error.type (permanent or transient; a handler's panic counts as one of
// the two after its value, where a tracing span's error.type says
// "panic"). Counters count messages (unit
// "{message}"). Durations are histograms in seconds (unit "s"), as the
// OpenTelemetry conventions prescribe, with the messaging conventions'
// bucket bounds from 5 ms to 10 s; SourceFlow.Net recorded milliseconds.
//
// sourceflow.message.critical_time (histogram, seconds) is NServiceBus's
// critical time: from a message's sending (sourceflow.MetaOccurredAt, which
// the cqrs package sets) to the start of its handling, recorded by the
// consume-side middleware with the attributes of received (type,
// destination, subscription; never an id), with bounds up to a day. A
// sending time up to five minutes ahead of the consumer's clock (a
// sender's clock running fast) records zero, so such a skew does not drop
// the quickly handled messages from the histogram; a message without that
// key, with a value that is not RFC 3339, with Go's zero time (0001-01-01,
// a time never set) or with one further ahead records no sample and is handled and counted as any other.
//
// A produce-side decorator is built for one kind because a service's command
// and event publishers are decorated separately. A Publish call with several
// messages records one count and one duration sample (the whole call's) per
// message.
//
// sourceflow.event.filtered (counter, "{message}") counts, by
// messaging.destination.name and messaging.consumer.group.name (the
// service), the events a consumer acknowledged and dropped because no
// version of its consumer group handles their type: the event type filter
// of cqrs.ChannelTransport and cqrs.PubSubTransport (so sqlbus's), which
// marks them with sourceflow.MetaFiltered; processed counts them with
// outcome filtered. The consume-side middleware records it, so it needs no
// Config field and is counted whatever wraps the transport
// (cqrs.HybridTransport, an outbox), which the transports'
// FilteredByDestination is not.
//
// The relay instruments record what Metrics.RelayObserver is told by an
// outbox's relay, given to the SQL outbox's Config.RelayObservers or to
// cqrs/dynamostore's OutboxConfig.RelayObservers (sourceflow.RelayObserver),
// each by sourceflow.outbox.name (the outbox's Topic or Name) and
// messaging.destination.name (at most 256 pairs; past them the destination
// is recorded as OtherType): sourceflow.outbox.relay.relayed (messages
// forwarded, "{message}"), sourceflow.outbox.relay.failures (attempts that
// failed, "{message}", with error.type permanent or transient; a publish
// that panicked, run through sourceflow.RunRelay, transient) and
// sourceflow.outbox.relay.age (histogram, seconds from the message's
// sourceflow.MetaOccurredAt to the attempt, bounds up to a day, as
// critical_time counts a clock skew; none for a message without a valid
// one). A relay retries its oldest message at
// each poll or sweep, so one held up records ever older ages and failures
// while relayed stays flat; one that stopped records nothing, which the
// outbox's depth (the outbox package's Depths through DepthFunc) shows.
//
// Observable instruments are registered only when their source is set:
// sourceflow.aws.kms.calls and sourceflow.aws.kms.failures (KMS calls that
// failed after their retries; both by sourceflow.kms.operation,
// GenerateDataKey, Decrypt or DescribeKey, so failures over calls is each
// operation's failure ratio),
// sourceflow.aws.kms.cache_lookups (by sourceflow.cache.result),
// sourceflow.aws.message.duplicates, sourceflow.store.retries (by
// sourceflow.retry.reason), sourceflow.message.dead_lettered (messages a
// transport dead-lettered, by messaging.destination.name, the queue or
// topic each was consumed from, or for an outbox's messages the one each
// was for, from Config.DeadLetters),
// sourceflow.handler.retries and sourceflow.handler.give_ups (the handler
// runs the retry middleware retried, and the deliveries whose error it
// returned once it stopped retrying, from Config.HandlerRetries), and the
// gauges sourceflow.aws.queue.depth and sourceflow.aws.dlq.depth (by
// messaging.destination.name and sourceflow.message.state
// visible/in_flight), and the gauge sourceflow.publish.circuit.state (0
// closed, 1 half-open, 2 open, by messaging.destination.name) read from
// Config.Circuits at every collection. The sources are the narrow
// interfaces KMSStatsSource, DuplicateSource, StoreRetrySource,
// DeadLetterSource (which the awsbus, cqrs and outbox transports and the
// DynamoDB outbox, cqrs/dynamostore.Outbox, implement),
// HandlerRetrySource (a middleware.Retrier's Stats, through
// HandlerRetriesFunc), DepthSource and CircuitSource (the root package's,
// which middleware.CircuitBreaker implements), so the encryption,
// idempotency and transport packages stay independent of this one; the
// Func adapters wrap any accessor. The depth source is polled in the
// background every DepthInterval (30 s by default), starting at once,
// never during a metric collection. A failed poll is logged; the depths it
// still answered are exported, and a queue it did not read keeps its last
// depth until five polls in a row have missed it, then is no longer
// reported, so a queue that is gone or a source that is down shows no
// depth rather than a frozen one. Close stops the poller. A source that
// panics while the SDK collects (a bug in it) fails its own observation:
// its instruments report nothing in that collection, the others are
// reported. The first panic of a kind of source that starts to panic is
// logged with its stack, and its answering again with the number of
// collections it failed. The SDK would not recover the panic, which would
// end the process.
//
// # Duplicates
//
// The idempotency phase acknowledges a duplicate with a nil error, which this
// outer middleware cannot tell from a success on its own; Config.IsDuplicate
// reports it. By default it reads the sourceflow.MetaDuplicate mark that the
// idempotency middleware sets on the duplicates it acknowledges, so those
// count as duplicates without any setting; a deduplication of another kind
// needs an IsDuplicate of its own, or its duplicates count as successes.
//
// # Defaults
//
// The zero Config records into a no-op meter provider, never the global
// one, under the instrumentation scope "SourceFlow.Cloud.AWS". Payloads are
// never read.
//
// # Placement
//
// Consume side: after tracing and before idempotency, so duplicates are
// counted and their exemplars belong to the consumer span. Produce side:
// last, right before the transport, so the durations measure the transport.
package metrics
