package encryption

import (
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// envelopeOf returns a copy of msg's metadata in which the message id and
// the occurred-at time are set: a message sent without them (not through
// SourceFlow's model) gets its Watermill UUID and now. Both are then
// authenticated with the payload, so a replay under a fresh UUID is still
// the same message to the idempotency middleware, and DecrypterConfig.MaxAge
// applies to it.
func envelopeOf(msg *message.Message, now time.Time) message.Metadata {
	md := make(message.Metadata, len(msg.Metadata)+3)
	for k, v := range msg.Metadata {
		md[k] = v
	}
	if md[sourceflow.MetaMessageID] == "" {
		md[sourceflow.MetaMessageID] = msg.UUID
	}
	if md[sourceflow.MetaOccurredAt] == "" {
		md[sourceflow.MetaOccurredAt] = now.UTC().Format(time.RFC3339Nano)
	}
	return md
}

// checkOccurredAt refuses an occurred-at time that is not RFC 3339: every
// Decrypter would refuse the message (ErrExpired), so it is refused before
// it is sent.
func checkOccurredAt(md message.Metadata) error {
	if _, err := time.Parse(time.RFC3339Nano, md[sourceflow.MetaOccurredAt]); err != nil {
		return fmt.Errorf("occurred-at %s (metadata %s) is not an RFC 3339 time, which every decrypter would refuse",
			quotedText(md[sourceflow.MetaOccurredAt]), sourceflow.MetaOccurredAt)
	}
	return nil
}
