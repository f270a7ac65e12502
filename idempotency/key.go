package idempotency

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// MessageID returns the SourceFlow message id of msg (metadata
// sourceflow.MetaMessageID), falling back to the Watermill UUID; empty when
// the message has neither.
func MessageID(msg *message.Message) string {
	if id := msg.Metadata.Get(sourceflow.MetaMessageID); id != "" {
		return id
	}
	return msg.UUID
}

// KeyOf returns the idempotency key of msg: the consumer, which is
// MiddlewareConfig.Consumer or else the router handler name carried by
// msg.Context(), and, as Key.MessageID, the message id (see MessageID)
// together with the message type (sourceflow.MetaType), so that two
// messages of two types sharing an id are two messages. A message without
// a type is keyed as one of an empty type ("0::" and its id), so that no
// key is a bare id, the previous release's key of a message (see
// MiddlewareConfig.LegacyKeysUntil); a type and id longer together than
// MaxKeyLength are hashed to fit it (see Key.MessageID), and so is a
// consumer longer than MaxKeyLength or beginning "sha256:" (see
// Key.Consumer). An id, type or consumer that is not UTF-8 is a permanent
// error wrapping ErrInvalidKey.
func (m *Middleware) KeyOf(msg *message.Message) (Key, error) {
	id := MessageID(msg)
	if id == "" {
		return Key{}, sourceflow.Permanent(ErrMissingMessageID)
	}
	consumer := m.consumer(msg)
	if consumer == "" {
		return Key{}, fmt.Errorf("%w: set MiddlewareConfig.Consumer or run the handler in a router", ErrMissingConsumer)
	}
	part, err := messageKey(id, msg.Metadata.Get(sourceflow.MetaType))
	if err != nil {
		return Key{}, sourceflow.Permanent(err)
	}
	if consumer, err = consumerKey(consumer); err != nil {
		return Key{}, sourceflow.Permanent(err)
	}
	return Key{Consumer: consumer, MessageID: part}, nil
}

// consumer returns the consumer of msg as configured or named by its
// router handler, before consumerKey; empty when neither names one.
func (m *Middleware) consumer(msg *message.Message) string {
	if m.cfg.Consumer != "" {
		return m.cfg.Consumer
	}
	return message.HandlerNameFromCtx(msg.Context())
}

// DefaultHash is the default MiddlewareConfig.HashPayload: the hex SHA-256 of
// the payload, or "" (no payload check) for an encrypted message. The
// middleware runs before decryption, and a producer retry may re-encrypt the
// same plaintext under a fresh nonce, so a ciphertext hash would report a
// false mismatch.
func DefaultHash(msg *message.Message) string {
	if msg.Metadata.Get(sourceflow.MetaEncryption) != "" {
		return ""
	}
	sum := sha256.Sum256(msg.Payload)
	var buf [2 * sha256.Size]byte
	hex.Encode(buf[:], sum[:])
	return string(buf[:])
}
