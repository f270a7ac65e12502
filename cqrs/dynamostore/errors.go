package dynamostore

import (
	"errors"

	"github.com/sourceflow-go/sourceflow/internal/dynamo"
)

var (
	// ErrInvalidKey is returned for an empty entity id, message id, kind or
	// document id, one longer than MaxKeyLength bytes, or one that is not
	// valid UTF-8 (which the SDK would send altered, so that two such keys
	// could name one item), and for an outbox message whose id, destination
	// or metadata is not valid UTF-8; it is permanent.
	ErrInvalidKey = errors.New("dynamostore: invalid key")
	// ErrTooLarge is returned, before any request, for a command, document
	// or outbox message whose item would exceed DynamoDB's 400 KB limit; the
	// error names the entity, document or message and is permanent
	// (sourceflow.ErrPermanent), so the message is dead-lettered with it at
	// once. Nothing is truncated.
	ErrTooLarge = dynamo.ErrItemTooLarge
	// ErrInvalidConfig is returned by New for a Config, and by NewOutbox for
	// an OutboxConfig, that fails Validate.
	ErrInvalidConfig = errors.New("dynamostore: invalid config")
	// ErrSequenceContended is returned by a send that lost the race for its
	// entity's sequence to other writers 16 times in a row. It is transient
	// (a redelivery may win) but no cqrs.ErrConflict, so that nothing runs
	// the send again at once: a caller that mapped ErrConflict to a retry or
	// a 409 for such a send matches this instead.
	ErrSequenceContended = errors.New("dynamostore: the entity's sequence kept moving on")
)
