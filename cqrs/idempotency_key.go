package cqrs

import "context"

type idempotencyKeyKey struct{}

// ContextWithIdempotencyKey returns ctx carrying key, the caller's name for
// one request (an HTTP Idempotency-Key header, a job run's id). A command
// sent (or an event raised) with it outside a handler takes a message id
// derived from key and the message (type, entity and encoded payload)
// instead of a fresh one, so
// a client that sends again after an error whose outcome it cannot know (a
// timeout, a commit whose answer was lost) sends the same command: Send
// finds it in the CommandStore, keeps its sequence number and publishes it
// again, rather than storing a second command; consumers' idempotency drops
// the repeated delivery (within its record's TTL: a retry after that is
// handled again). A MemoryCommandStore finds only the commands it still
// keeps (see MemoryCommandStoreConfig.MaxCommands): a retry after its
// command was evicted stores it again under a new sequence number, with the
// same message id, which consumers' idempotency drops likewise. A command that differs (another payload) is a new
// command. Two identical commands for one entity sent with one key are one
// command: give each its own key to send both. A send that meets the
// command another send with the key stored meanwhile takes that command
// too, unless ctx carries a transaction the caller began: then it fails
// with ErrDuplicateCommand, and the transaction made again finds the
// command. Inside a handler the key is not used: the handled message
// already derives the ids of what the handler sends. An empty key carries
// nothing. The key works on the sending side, before a message exists;
// package idempotency works on the consuming side, dropping a message
// delivered again by its message id, which this key keeps the same.
func ContextWithIdempotencyKey(ctx context.Context, key string) context.Context {
	if key == "" {
		return ctx
	}
	return context.WithValue(ctx, idempotencyKeyKey{}, key)
}

// keyedID returns the id of a command sent outside a handler with an
// idempotency key in ctx; ok is false without one.
func keyedID(ctx context.Context, typeName, entityID string, payload []byte) (id string, ok bool) {
	key, ok := ctx.Value(idempotencyKeyKey{}).(string)
	if !ok {
		return "", false
	}
	return derivedID(payload, "idempotency-key", key, typeName, entityID), true
}
