package sourceflow

// Reserved metadata keys of the SourceFlow envelope. A Watermill message that
// carries a SourceFlow command or event holds these keys in its metadata; the
// cqrs package writes and reads them, transports carry them.
const (
	// MetaType is the registered logical type name, e.g. "orders.CreateOrder".
	// Transports carry it in an attribute of its own so that subscription
	// filters (SNS filter policies) can match on it.
	MetaType = "sf_type"
	// MetaMessageID is the id of one logical message. It is kept across
	// retries and redeliveries and is the idempotency key.
	MetaMessageID = "sf_id"
	// MetaEntityID is the id of the entity the message is about.
	MetaEntityID = "sf_entity"
	// MetaSequence is the per-entity sequence number assigned by the CommandBus.
	MetaSequence = "sf_seq"
	// MetaCorrelationID ties together every message of one business flow.
	MetaCorrelationID = "sf_corr"
	// MetaCausationID is the message id of the message that caused this one.
	MetaCausationID = "sf_cause"
	// MetaOccurredAt is when the message was created, RFC 3339 with nanoseconds, UTC.
	MetaOccurredAt = "sf_at"
	// MetaReplay is "true" on messages re-run by replay.
	MetaReplay = "sf_replay"
	// MetaHops is how many handled messages led to this one, a decimal
	// integer: absent (0) on a message sent outside a handler, one more
	// than the handled message's on one a handler sends or raises.
	MetaHops = "sf_hops"
	// MetaPayloadVersion is the version of the payload's shape, a decimal
	// integer: the PayloadVersion its type was registered with by the
	// sender, absent for version 0.
	MetaPayloadVersion = "sf_pver"
	// MetaRedrives is how many times an operator's redrive has moved the
	// message back from a dead-letter store, a decimal integer: absent (0)
	// on a message never redriven. Every redrive (sourceflow dlq, sql and
	// dynamo redrive, sqlbus.Redrive, outbox.Redrive and the DynamoDB
	// outbox's Redrive) adds one (CountRedrive), so a dead letter that
	// failed again after a redrive says so.
	MetaRedrives = "sf_redrives"
	// MetaRedrivenAt is when the last redrive moved the message back, RFC
	// 3339 with nanoseconds, UTC; absent on a message never redriven.
	MetaRedrivenAt = "sf_redriven_at"

	// MetaTraceParent carries the W3C traceparent header.
	MetaTraceParent = "traceparent"
	// MetaTraceState carries the W3C tracestate header.
	MetaTraceState = "tracestate"
	// MetaEncryption carries the envelope-encryption header of an encrypted body.
	MetaEncryption = "sf_enc"

	// MetaEnvelope is the transport attribute into which a transport with an
	// attribute budget packs the EnvelopeKeys.
	MetaEnvelope = "sf_env"
)

// AttributeBudget is the most message attributes SQS and SNS raw delivery
// accept on one message. SNS silently drops a raw-delivered message with more,
// so transports check the budget at send time.
const AttributeBudget = 10

// EnvelopeKeys returns the envelope keys that a transport may pack into the
// single MetaEnvelope attribute. MetaType is not among them: it travels alone.
func EnvelopeKeys() []string {
	return []string{
		MetaMessageID, MetaEntityID, MetaSequence, MetaCorrelationID,
		MetaCausationID, MetaOccurredAt, MetaReplay, MetaHops,
		MetaPayloadVersion, MetaRedrives, MetaRedrivenAt,
	}
}

// IsEnvelopeKey reports whether key is one of EnvelopeKeys.
func IsEnvelopeKey(key string) bool {
	switch key {
	case MetaMessageID, MetaEntityID, MetaSequence, MetaCorrelationID,
		MetaCausationID, MetaOccurredAt, MetaReplay, MetaHops,
		MetaPayloadVersion, MetaRedrives, MetaRedrivenAt:
		return true
	}
	return false
}

// IsReserved reports whether key is a metadata key reserved by SourceFlow.
func IsReserved(key string) bool {
	switch key {
	case MetaType, MetaTraceParent, MetaTraceState, MetaEncryption, MetaEnvelope:
		return true
	}
	return IsEnvelopeKey(key)
}

// InstrumentationScope is the OpenTelemetry tracer and meter scope of
// SourceFlow's instrumentation (the name SourceFlow.Net uses for its AWS
// parts), the default of the tracing and metrics middleware.
const InstrumentationScope = "SourceFlow.Cloud.AWS"

// AttributeDataType is the data type of every message attribute SourceFlow
// sends over SQS and SNS. The services count its length toward a message's
// size, so the encryption size check counts it too.
const AttributeDataType = "String"

// QueueDepth is the size of one queue at one moment, as a transport reports
// it (SQS approximates it) and the metrics depth gauges export it.
type QueueDepth struct {
	// Queue is the queue name.
	Queue string
	// DLQ is true for a dead-letter queue.
	DLQ bool
	// Visible is the number of messages available for receipt.
	Visible int64
	// InFlight is the number of messages received and not yet deleted.
	InFlight int64
}
