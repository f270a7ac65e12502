package encryption

import (
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// authenticatedKeys are the metadata keys a version 2 header authenticates
// with the payload, in this order: the message's envelope. Changing any of
// them in transit (a captured command sent again for another entity, with
// another message id, sequence or type, or marked as a replay so that its
// effects are skipped) fails authentication.
var authenticatedKeys = [...]string{
	sourceflow.MetaMessageID, sourceflow.MetaEntityID, sourceflow.MetaSequence, sourceflow.MetaType,
	sourceflow.MetaOccurredAt, sourceflow.MetaCorrelationID, sourceflow.MetaCausationID, sourceflow.MetaReplay,
}

// appendEnvelope appends the values of the authenticated keys of md to b,
// each length-prefixed: an absent key reads as an empty value.
func appendEnvelope(b []byte, md message.Metadata) []byte {
	for _, k := range authenticatedKeys {
		b = appendField(b, []byte(md[k]))
	}
	return b
}
