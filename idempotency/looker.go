package idempotency

import "context"

// Looker is implemented by stores that can read a record without writing
// one. It is optional: the middleware reads, through it, the record the
// previous release kept under a message's key of that release (see
// MiddlewareConfig.LegacyKeysUntil); a store without it gets no such
// lookup, and behaves as before. MemoryStore, idempotency/sqlstore and
// idempotency/dynamostore implement it.
type Looker interface {
	// Lookup reports whether key holds a live completed record whose
	// payload hash is payloadHash, or either of the two is empty (as Claim
	// compares them). It writes nothing: an expired record, an in-progress
	// one or none at all is false. A key the store could never have
	// recorded (too long for it) is an error wrapping ErrInvalidKey.
	Lookup(ctx context.Context, key Key, payloadHash string) (bool, error)
}
