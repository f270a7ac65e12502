package cli

import (
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
)

// envelopeUUID is the key of the Watermill message UUID inside the packed
// envelope attribute (awsbus writes it).
const envelopeUUID = "uuid"

// deadLetter is a message of a dead-letter queue, decoded as SourceFlow's
// AWS transport writes it.
type deadLetter struct {
	// sqsID is the SQS MessageId in the dead-letter queue.
	sqsID string
	// messageID is the envelope's message id (with its type, the idempotency key), else
	// the Watermill UUID, else sqsID.
	messageID string
	typ       string
	entity    string
	// reason is the failure reason; empty when the message carries none.
	reason string
	// failedHost and failedVersion say which host and which version of the
	// service failed the message (sourceflow.MetaFailedHost and
	// MetaFailedVersion, which awsbus copies from cqrs); empty when the
	// message does not say.
	failedHost, failedVersion string
	// receives is how often the consumer received the message, as awsbus
	// writes it into its dead-letter copy (sourceflow.MetaDeliveryCount);
	// 0 when the message carries no count (SQS's redrive policy moved it, a
	// producer sent it, or an earlier awsbus copied it).
	receives int
	// sent is when the message was first sent (sourceflow.MetaOccurredAt),
	// kept across retries and redrives; zero when it carries no valid time.
	sent time.Time
	// queued is the message's SQS SentTimestamp in the dead-letter queue:
	// when awsbus copied it there, or, for a message SQS moved there, when
	// SQS enqueued it (on a standard queue the source queue's time).
	queued time.Time
	body   string
	// metadata are the string attributes with the packed envelope
	// unpacked in their place, as a consumer sees them.
	metadata map[string]string
	// malformed is why a consumer refuses the message's packed envelope
	// (awsbus.ErrMalformedMessage); empty when it reads it.
	malformed string
}

// decodeLetter decodes m, its attributes read as a consumer reads them
// (awsbus.UnpackAttributes). A malformed envelope is left unread: the
// fields come from the attributes alone, and malformed says why.
func decodeLetter(m sqstypes.Message) deadLetter {
	d := deadLetter{sqsID: aws.ToString(m.MessageId), body: aws.ToString(m.Body), metadata: map[string]string{}}
	for k, v := range m.MessageAttributes {
		if v.BinaryValue != nil {
			d.metadata[k] = string(v.BinaryValue)
			continue
		}
		d.metadata[k] = aws.ToString(v.StringValue)
	}
	md, uuid, err := awsbus.UnpackAttributes(d.metadata, "")
	if err != nil {
		d.malformed = err.Error()
	}
	d.metadata = md
	d.messageID = firstOf(md[sourceflow.MetaMessageID], uuid, d.sqsID)
	d.typ, d.entity = d.metadata[sourceflow.MetaType], d.metadata[sourceflow.MetaEntityID]
	d.reason = d.metadata[sourceflow.MetaFailure]
	d.failedHost, d.failedVersion = md[sourceflow.MetaFailedHost], md[sourceflow.MetaFailedVersion]
	if n, err := strconv.Atoi(md[sourceflow.MetaDeliveryCount]); err == nil && n > 0 {
		d.receives = n
	}
	if at, err := time.Parse(time.RFC3339Nano, md[sourceflow.MetaOccurredAt]); err == nil {
		d.sent = at.UTC()
	}
	if ms, ok := systemMillis(m, sqstypes.MessageSystemAttributeNameSentTimestamp); ok {
		d.queued = time.UnixMilli(ms).UTC()
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
