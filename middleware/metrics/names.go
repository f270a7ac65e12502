package metrics

import "go.opentelemetry.io/otel/attribute"

// Instrument names. The first nine are SourceFlow.Net's AWS metric names; the
// rest cover KMS, idempotency, queue depth, circuits, store retries, dead
// letters and handler retries.
const (
	// NameCommandDispatched counts commands handed to the transport.
	NameCommandDispatched = "sourceflow.aws.command.dispatched"
	// NameCommandDispatchDuration is the duration of the Publish call that
	// carried each command, in seconds.
	NameCommandDispatchDuration = "sourceflow.aws.command.dispatch_duration"
	// NameCommandDispatchError counts commands whose Publish call failed.
	NameCommandDispatchError = "sourceflow.aws.command.dispatch_error"

	// NameEventPublished counts events handed to the transport.
	NameEventPublished = "sourceflow.aws.event.published"
	// NameEventPublishDuration is the duration of the Publish call that
	// carried each event, in seconds.
	NameEventPublishDuration = "sourceflow.aws.event.publish_duration"
	// NameEventPublishError counts events whose Publish call failed.
	NameEventPublishError = "sourceflow.aws.event.publish_error"

	// NameMessageReceived counts messages that reached the consume pipeline.
	NameMessageReceived = "sourceflow.aws.message.received"
	// NameMessageProcessed counts handled messages by outcome.
	NameMessageProcessed = "sourceflow.aws.message.processed"
	// NameMessageProcessingDuration is the time the rest of the consume
	// pipeline took per message, in seconds, by outcome.
	NameMessageProcessingDuration = "sourceflow.aws.message.processing_duration"
	// NameCriticalTime is the time from a message's sending
	// (sourceflow.MetaOccurredAt) to the start of its handling, in seconds:
	// NServiceBus's critical time, the lag of a consumer behind its
	// senders. A sending time up to five minutes ahead of the consumer's
	// clock (a sender's clock running fast) records zero; a message without
	// a sending time, with one that is not RFC 3339, with Go's zero time
	// (0001-01-01, a time never set) or with one further ahead records
	// none. It is not AWS-specific, so it carries no "aws"
	// segment.
	NameCriticalTime = "sourceflow.message.critical_time"

	// NameKMSCalls counts KMS requests by operation, DescribeKey included
	// (observed): NameKMSFailures over it is each operation's failure ratio.
	NameKMSCalls = "sourceflow.aws.kms.calls"
	// NameKMSFailures counts KMS calls that failed in the end (after their
	// retries), by operation, DescribeKey included (observed): a key KMS
	// refuses shows here.
	NameKMSFailures = "sourceflow.aws.kms.failures"
	// NameKMSCacheLookups counts data-key cache lookups by result (observed).
	NameKMSCacheLookups = "sourceflow.aws.kms.cache_lookups"
	// NameDuplicates counts messages acknowledged as duplicates by the
	// idempotency phase (observed).
	NameDuplicates = "sourceflow.aws.message.duplicates"
	// NameQueueDepth is the number of messages in a queue, by state (observed).
	NameQueueDepth = "sourceflow.aws.queue.depth"
	// NameDLQDepth is the number of messages in a dead-letter queue, by state
	// (observed).
	NameDLQDepth = "sourceflow.aws.dlq.depth"
	// NameCircuitState is the state of each destination's publish circuit
	// breaker: 0 closed, 1 half-open, 2 open (observed). It is not
	// AWS-specific, so it carries no "aws" segment.
	NameCircuitState = "sourceflow.publish.circuit.state"
	// NameStoreRetries counts a store's requests the database throttled and
	// its transactions refused for a conflict, by AttrRetryReason
	// ("throttled", "conflict"), retried or not (observed).
	NameStoreRetries = "sourceflow.store.retries"
	// NameDeadLetters counts the messages a transport dead-lettered, by
	// AttrDestination, the queue or topic each was consumed from (for the
	// messages of an outbox, SQL or DynamoDB, the destination each was
	// for) (observed). It is
	// not AWS-specific, so it carries no "aws" segment.
	NameDeadLetters = "sourceflow.message.dead_lettered"
	// NameHandlerRetries counts the handler runs the retry middleware made
	// after a failed run of the same delivery (observed).
	NameHandlerRetries = "sourceflow.handler.retries"
	// NameHandlerGiveUps counts the deliveries whose error the retry
	// middleware returned once it stopped retrying: no retry left, its
	// MaxElapsed reached or the message's context ended (observed). It is
	// a name of its own rather than a value of an attribute of
	// NameHandlerRetries because it counts deliveries, not runs: a sum of
	// the two would mean nothing.
	NameHandlerGiveUps = "sourceflow.handler.give_ups"
	// NameEventsFiltered counts the events a consumer acknowledged and
	// dropped because no version of its consumer group handles their type
	// (the event type filter of the transports without SNS filter
	// policies: cqrs.ChannelTransport, cqrs.PubSubTransport, so sqlbus's),
	// by AttrDestination and AttrConsumerGroup, recorded by Middleware
	// from the sourceflow.MetaFiltered mark. It is not AWS-specific, so it
	// carries no "aws" segment.
	NameEventsFiltered = "sourceflow.event.filtered"

	// NameOutboxRelayed counts the messages an outbox's relay (the SQL
	// outbox's forwarder, the DynamoDB outbox's relay after commit and
	// sweep) forwarded to their destination, by AttrOutbox and
	// AttrDestination (Metrics.RelayObserver).
	NameOutboxRelayed = "sourceflow.outbox.relay.relayed"
	// NameOutboxRelayFailures counts the attempts of an outbox's relay to
	// forward a message that failed, by AttrOutbox, AttrDestination and
	// AttrErrorType (Metrics.RelayObserver).
	NameOutboxRelayFailures = "sourceflow.outbox.relay.failures"
	// NameOutboxRelayAge is the age, in seconds since its
	// sourceflow.MetaOccurredAt, of each message an outbox's relay tries to
	// forward, at the attempt, by AttrOutbox and AttrDestination
	// (Metrics.RelayObserver). A relay forwards the oldest message it
	// holds first and retries it at each poll or sweep until it goes out,
	// so a relay held up by its destination records ever older samples.
	NameOutboxRelayAge = "sourceflow.outbox.relay.age"
)

// Attribute keys.
const (
	// AttrType is the registered logical type name (sourceflow.MetaType), or
	// "unknown" when the message has none.
	AttrType = attribute.Key("sourceflow.type")
	// AttrDestination is the queue or topic name.
	AttrDestination = attribute.Key("messaging.destination.name")
	// AttrSubscription is, on the consume-side instruments, the queue a
	// message was received from when that is not AttrDestination: awsbus's
	// event queue subscribed to an SNS topic, the queue whose depth
	// NameQueueDepth reports under AttrDestination.
	AttrSubscription = attribute.Key("messaging.destination.subscription.name")
	// AttrOutcome is OutcomeSuccess, OutcomeError or OutcomeDuplicate.
	AttrOutcome = attribute.Key("sourceflow.outcome")
	// AttrErrorType is "permanent" (sourceflow.IsPermanent) or "transient"
	// on processing errors.
	AttrErrorType = attribute.Key("error.type")
	// AttrKMSOperation is "GenerateDataKey", "Decrypt" or "DescribeKey".
	AttrKMSOperation = attribute.Key("sourceflow.kms.operation")
	// AttrCacheResult is "hit" or "miss".
	AttrCacheResult = attribute.Key("sourceflow.cache.result")
	// AttrMessageState is "visible" or "in_flight" on depth gauges.
	AttrMessageState = attribute.Key("sourceflow.message.state")
	// AttrRetryReason is why a store request was retried: "throttled" or
	// "conflict".
	AttrRetryReason = attribute.Key("sourceflow.retry.reason")
	// AttrOutbox names an outbox on the relay instruments: the SQL
	// outbox's Topic, the DynamoDB outbox's Name.
	AttrOutbox = attribute.Key("sourceflow.outbox.name")
	// AttrConsumerGroup is, on NameEventsFiltered, the consumer group (the
	// service name) whose event type filter dropped the event.
	AttrConsumerGroup = attribute.Key("messaging.consumer.group.name")
)

// Values of AttrOutcome. OutcomeFiltered is an event acknowledged and
// dropped, without running a handler, because no version of its consumer
// group handles its type (see NameEventsFiltered).
const (
	OutcomeSuccess   = "success"
	OutcomeError     = "error"
	OutcomeDuplicate = "duplicate"
	OutcomeFiltered  = "filtered"
)

const unknownType = "unknown"

// OtherType is the sourceflow.type of the messages whose type came to a
// destination after 128 distinct types there, or 400 on all destinations,
// had series of their own, and of those whose type is longer than 256 bytes
// or not valid UTF-8.
const OtherType = "other"

// durationBuckets returns the explicit histogram bounds, in seconds, that the
// OpenTelemetry messaging conventions recommend for operation durations.
func durationBuckets() []float64 {
	return []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}
}
