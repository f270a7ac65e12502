package outbox

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqsrules"
)

// logDeadLetter logs msg, a row of the outbox topic just written to its
// dead-letter table, at error level with its reason, as every transport
// logs its dead letters: the row's id (row_uuid) and, when the row is a
// forwarder envelope, the destination and the forwarded message's id
// (message_id: see envelope.messageID) and correlation id (when
// sourceflow.ValidCorrelationID accepts it); never the payload. The ids
// and the destination are shown as sourceflow.IDText shows them (bounded,
// escaped): the forwarded message's are its sender's, and a row written to
// the table by other means than the outbox's publisher may hold anything. The reason is cut to
// maxLoggedReasonBytes, keeping its beginning and its end. The row is
// written in the poll's transaction and logged once that commits (see
// deadLetterPublisher): a poll rolled back reads the row again and
// dead-letters it again, logged then. It returns the row's destination as
// it is, "" when the row is no forwarder envelope.
func logDeadLetter(logger watermill.LoggerAdapter, topic string, msg *message.Message) (destination string) {
	fields := watermill.LogFields{"topic": topic, "row_uuid": sourceflow.IDText(msg.UUID)}
	var e envelope
	if json.Unmarshal(msg.Payload, &e) == nil {
		if destination = e.DestinationTopic; destination != "" {
			fields["destination"] = sourceflow.IDText(destination)
		}
		if id := e.messageID(); id != "" {
			fields["message_id"] = sourceflow.IDText(id)
		}
		if corr := e.Metadata[sourceflow.MetaCorrelationID]; sourceflow.ValidCorrelationID(corr) {
			fields["correlation_id"] = corr
		}
	}
	reason := errors.New(cutReason(msg.Metadata.Get(sourceflow.MetaFailure)))
	logger.Error("outbox: row cannot be forwarded; kept as a dead letter", reason, fields)
	return destination
}

// maxLoggedReasonBytes bounds the reason of a logged dead letter, as awsbus
// bounds the reasons its dead letters carry and log: a handler's or a
// transport's error may be of any length.
const maxLoggedReasonBytes = 1024

// cutReason is reason as awsbus's dead letters carry it (sqsrules.Reason:
// characters a log line would act on replaced; a longer one cut to
// maxLoggedReasonBytes keeping its beginning and its end, where the cause
// is, without splitting a character), followed by the whole length when
// it was cut.
func cutReason(reason string) string {
	cut := sqsrules.Reason(reason, maxLoggedReasonBytes)
	if len(reason) <= maxLoggedReasonBytes {
		return cut
	}
	return fmt.Sprintf("%s (%d bytes)", cut, len(reason))
}
