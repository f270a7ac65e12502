package tracing

import (
	"strconv"
	"unicode/utf8"

	"github.com/ThreeDotsLabs/watermill/message"
	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"

	"github.com/sourceflow-go/sourceflow"
)

// SourceFlow span attribute keys, set beside the messaging conventions.
const (
	// AttrType is the registered logical type name (sourceflow.MetaType).
	AttrType = attribute.Key("sourceflow.type")
	// AttrEntityID is the entity id (sourceflow.MetaEntityID).
	AttrEntityID = attribute.Key("sourceflow.entity.id")
	// AttrSequence is the per-entity sequence number (sourceflow.MetaSequence),
	// an int64 when the metadata holds a decimal number, else a string.
	AttrSequence = attribute.Key("sourceflow.sequence")
	// AttrHandler is the name of the router handler that processes a message.
	AttrHandler = attribute.Key("sourceflow.handler")
)

const (
	operationSend    = "send"
	operationProcess = "process"
)

// sendSystem is the messaging.system of msg's producer span: the events'
// system for a message whose context carries sourceflow.KindEvent.
func (t *Tracing) sendSystem(msg *message.Message) string {
	if t.eventSystem != t.system {
		if kind, _ := sourceflow.KindFromContext(msg.Context()); kind == sourceflow.KindEvent {
			return t.eventSystem
		}
	}
	return t.system
}

// messageID is the logical message id (sourceflow.MetaMessageID) when the
// message carries one, else the Watermill message UUID.
func messageID(msg *message.Message) string {
	if id := msg.Metadata.Get(sourceflow.MetaMessageID); id != "" {
		return id
	}
	return msg.UUID
}

// spanName follows the messaging conventions: "<operation> <destination>",
// or the operation alone when the destination is unknown.
func spanName(operation, destination string) string {
	if destination == "" {
		return operation
	}
	return operation + " " + destination
}

// destinationAttributes are the attributes every span of one operation on
// one destination through one system shares: system, operation and
// destination. They are given when the span starts, so a sampler sees them.
func destinationAttributes(operation, destination, system string) []attribute.KeyValue {
	opType := operation
	if operation == operationRelay {
		opType = operationSend
	}
	attrs := []attribute.KeyValue{
		semconv.MessagingSystemKey.String(system),
		semconv.MessagingOperationTypeKey.String(opType),
		semconv.MessagingOperationName(operation),
	}
	if destination != "" {
		attrs = append(attrs, semconv.MessagingDestinationName(destination))
	}
	return attrs
}

// maxAttributeValue bounds, in bytes, a span attribute taken from message
// metadata: whoever sends to a destination writes it, and one value as
// long as the transport carries, on every delivery's span, would make
// spans too large for a tracing backend to take (an exporter that refuses
// a batch loses the other spans in it too).
const maxAttributeValue = 256

// messageAttributes are the attributes of one message: its id, type, entity
// and sequence, each cut to maxAttributeValue bytes. They are set only on a
// span that records, so an unsampled message costs nothing for them.
func messageAttributes(msg *message.Message) []attribute.KeyValue {
	return appendMessageAttributes(make([]attribute.KeyValue, 0, 5), msg)
}

// appendMessageAttributes appends the attributes of messageAttributes to
// attrs and returns the extended slice.
func appendMessageAttributes(attrs []attribute.KeyValue, msg *message.Message) []attribute.KeyValue {
	attrs = append(attrs, semconv.MessagingMessageID(bounded(messageID(msg))))
	if v := msg.Metadata.Get(sourceflow.MetaType); v != "" {
		attrs = append(attrs, AttrType.String(bounded(v)))
	}
	if v := msg.Metadata.Get(sourceflow.MetaEntityID); v != "" {
		attrs = append(attrs, AttrEntityID.String(bounded(v)))
	}
	if v := msg.Metadata.Get(sourceflow.MetaSequence); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			attrs = append(attrs, AttrSequence.Int64(n))
		} else {
			attrs = append(attrs, AttrSequence.String(bounded(v)))
		}
	}
	return attrs
}

// bounded returns v cut to maxAttributeValue bytes (see cut).
func bounded(v string) string {
	return cut(v, maxAttributeValue)
}

// cut returns v when it is at most n bytes long, else its first n bytes,
// cut on a character boundary, and "…".
func cut(v string, n int) string {
	if len(v) <= n {
		return v
	}
	for n > 0 && !utf8.RuneStart(v[n]) {
		n--
	}
	return v[:n] + "…"
}
