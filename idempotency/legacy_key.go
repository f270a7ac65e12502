package idempotency

import (
	"context"
	"errors"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
)

// LegacyKeysDeadline returns MiddlewareConfig.LegacyKeysUntil's default,
// 1 March 2027 UTC: until then, a message this release claims for the
// first time is looked up under the key the previous release gave it
// (its consumer and id alone, without its type), so that a message an
// instance of that release completed is not handled again when it is
// redelivered during or after a rolling upgrade. It is the upgrade's date
// (December 2026) plus DefaultTTL, how long those records live, and a month
// to roll out. It is a function so that no importer can move the deadline
// of every Middleware in the process; set LegacyKeysUntil to move one
// Middleware's.
func LegacyKeysDeadline() time.Time {
	return time.Date(2027, time.March, 1, 0, 0, 0, 0, time.UTC)
}

// legacyKey returns the key the previous release built for msg: the
// consumer and the message id as they are, neither typed nor hashed. No
// key this release builds is such a key (KeyOf prefixes every id), so a
// record there was written by that release. ok is false when the id reads
// as a key part this release builds (see readsAsKeyPart), as a record there
// may be another sender's message this release completed, or when
// lookups are off: the store is no Looker, or LegacyKeysUntil has passed.
func (m *Middleware) legacyKey(msg *message.Message) (legacy Key, ok bool) {
	if m.looker == nil || !m.cfg.Clock.Now().Before(m.cfg.LegacyKeysUntil) {
		return Key{}, false
	}
	id := MessageID(msg)
	if readsAsKeyPart(id) { // this release's key of another message
		return Key{}, false
	}
	return Key{Consumer: m.consumer(msg), MessageID: id}, true
}

// previousRelease reports whether the message, whose claim of key this
// handling acquired with token, was completed under the previous release's
// key (see legacyKey). If it was, it completes the claim, counts and marks
// the message as a duplicate, and the handler is not run. A legacy key the
// store refuses as invalid (too long for it) has no record. Another
// failure of the lookup releases the claim and is returned, so the message
// is tried again. It never writes a record under the legacy key.
func (m *Middleware) previousRelease(ctx context.Context, msg *message.Message, key Key, hash, token string) (bool, error) {
	legacy, ok := m.legacyKey(msg)
	if !ok {
		return false, nil
	}
	done, err := m.looker.Lookup(ctx, legacy, hash)
	switch {
	case errors.Is(err, ErrInvalidKey):
		return false, nil
	case err != nil:
		m.c.storeErrors.Add(1)
		return true, joinErrors(opError("lookup", legacy, err), m.release(ctx, key, token))
	case !done:
		return false, nil
	}
	if err := m.complete(ctx, key, token, false); err != nil {
		return true, err
	}
	m.duplicate(msg, key)
	m.cfg.Logger.Debug("Message completed under the previous release's key", watermill.LogFields{"key": legacy.String()})
	return true, nil
}
