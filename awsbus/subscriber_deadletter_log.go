package awsbus

import (
	"cmp"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/aws/aws-sdk-go-v2/aws"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sourceflow-go/sourceflow"
)

// deadLetterFields are the log fields of every line about dead-lettering
// d for reason: its message id (message_id: the envelope's sf_id, the id
// `sourceflow dlq peek` shows as its message id, else its Watermill UUID,
// which is the SQS MessageId for a message that carries none), its SQS
// MessageId in the source queue (sqs_message_id), its type and entity id
// (type, entity; when it has them), its receive count (receive_count), the
// reason and its correlation id (correlation_id) when it has a valid one
// (sourceflow.ValidCorrelationID). A sender chose the ids, the type and
// the entity, so they are shown as sourceflow.IDText shows them: bounded,
// escaped.
func deadLetterFields(d *delivery, reason string) watermill.LogFields {
	sqsID := aws.ToString(d.raw.MessageId)
	fields := watermill.LogFields{
		"message_id": sourceflow.IDText(sqsID), "sqs_message_id": sourceflow.IDText(sqsID), "reason": reason,
		"receive_count": d.raw.Attributes[string(sqstypes.MessageSystemAttributeNameApproximateReceiveCount)],
	}
	if d.msg == nil {
		return fields
	}
	md := d.msg.Metadata
	fields["message_id"] = sourceflow.IDText(cmp.Or(md.Get(sourceflow.MetaMessageID), d.msg.UUID, sqsID))
	for field, key := range map[string]string{"type": sourceflow.MetaType, "entity": sourceflow.MetaEntityID} {
		if v := md.Get(key); v != "" {
			fields[field] = sourceflow.IDText(v)
		}
	}
	if corr := md.Get(sourceflow.MetaCorrelationID); sourceflow.ValidCorrelationID(corr) {
		fields["correlation_id"] = corr
	}
	return fields
}
