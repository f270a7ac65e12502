package outbox

import (
	"encoding/json"
	"errors"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// logDeadLetter logs msg, a row of the outbox topic just written to its
// dead-letter table, at error level with its reason, as every transport
// logs its dead letters: the row's id and, when the row is a forwarder
// envelope, the destination and the forwarded message's id and
// correlation id; never the payload. The row is written in the poll's
// transaction: should that fail to commit, the row is read again and
// dead-lettered (and logged) again.
func logDeadLetter(logger watermill.LoggerAdapter, topic string, msg *message.Message) {
	fields := watermill.LogFields{"topic": topic, "message_uuid": msg.UUID}
	var e envelope
	if json.Unmarshal(msg.Payload, &e) == nil {
		if e.DestinationTopic != "" {
			fields["destination"] = e.DestinationTopic
		}
		if e.UUID != "" {
			fields["forwarded_uuid"] = e.UUID
		}
		if corr := e.Metadata[sourceflow.MetaCorrelationID]; corr != "" {
			fields["correlation_id"] = corr
		}
	}
	reason := errors.New(msg.Metadata.Get(sourceflow.MetaFailure))
	logger.Error("outbox: row cannot be forwarded; kept as a dead letter", reason, fields)
}
