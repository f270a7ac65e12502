package cqrs

import (
	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// deadLetterFields are the fields of the log line of m, dead-lettered from
// destination after deliveries deliveries: what finds it among the
// transport's dead letters (its UUID and its type, which a sender chose:
// shown as sourceflow.IDText shows them, bounded and escaped), and among the lines of its flow
// (its correlation id, when sourceflow.ValidCorrelationID accepts it: not
// an oversize or unprintable one a sender chose); never its payload.
func deadLetterFields(destination string, m *message.Message, deliveries int) watermill.LogFields {
	fields := watermill.LogFields{"destination": destination, "message_id": sourceflow.IDText(m.UUID),
		"type": sourceflow.IDText(m.Metadata.Get(sourceflow.MetaType)), "deliveries": deliveries}
	if corr := m.Metadata.Get(sourceflow.MetaCorrelationID); sourceflow.ValidCorrelationID(corr) {
		fields["correlation_id"] = corr
	}
	return fields
}
