package cli

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sourceflow-go/sourceflow"
)

// envelopeUUID is the key of the Watermill message UUID inside the packed
// envelope attribute (awsbus writes it).
const envelopeUUID = "uuid"

// deadLetter is a message of a dead-letter queue, decoded as SourceFlow's
// AWS transport writes it.
type deadLetter struct {
	// sqsID is the SQS MessageId in the dead-letter queue.
	sqsID string
	// messageID is the envelope's message id (the idempotency key), else
	// the Watermill UUID, else sqsID.
	messageID string
	typ       string
	entity    string
	// reason is the failure reason; empty when the message carries none.
	reason   string
	receives int
	sent     time.Time
	body     string
	// metadata are the string attributes with the packed envelope
	// unpacked in their place, as a consumer sees them.
	metadata map[string]string
}

// decodeLetter decodes m. An unreadable envelope leaves the fields it
// would have given empty.
func decodeLetter(m sqstypes.Message) deadLetter {
	d := deadLetter{sqsID: aws.ToString(m.MessageId), body: aws.ToString(m.Body), metadata: map[string]string{}}
	for k, v := range m.MessageAttributes {
		if v.BinaryValue != nil {
			d.metadata[k] = string(v.BinaryValue)
			continue
		}
		d.metadata[k] = aws.ToString(v.StringValue)
	}
	var env map[string]string
	_ = json.Unmarshal([]byte(d.metadata[sourceflow.MetaEnvelope]), &env)
	for k, v := range env {
		if _, set := d.metadata[k]; !set {
			d.metadata[k] = v
		}
	}
	delete(d.metadata, envelopeUUID)
	delete(d.metadata, sourceflow.MetaEnvelope)
	d.messageID = firstOf(d.metadata[sourceflow.MetaMessageID], env[envelopeUUID], d.sqsID)
	d.typ, d.entity = d.metadata[sourceflow.MetaType], d.metadata[sourceflow.MetaEntityID]
	d.reason = d.metadata[sourceflow.MetaFailure]
	sys := m.Attributes
	d.receives, _ = strconv.Atoi(sys[string(sqstypes.MessageSystemAttributeNameApproximateReceiveCount)])
	if ms, err := strconv.ParseInt(sys[string(sqstypes.MessageSystemAttributeNameSentTimestamp)], 10, 64); err == nil {
		d.sent = time.UnixMilli(ms).UTC()
	}
	return d
}

// encrypted reports whether the body is encrypted (an encryption header is
// present).
func (d deadLetter) encrypted() bool { return d.metadata[sourceflow.MetaEncryption] != "" }

func firstOf(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
