package idempotency_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
)

const legacyType = "orders.OrderCreated"

// completeLegacy records id as an instance of the previous release did
// after handling it: completed under consumer and the id alone.
func completeLegacy(t *testing.T, s idempotency.Store, consumer, id, hash string, ttl time.Duration) {
	t.Helper()
	ctx := context.Background()
	k := idempotency.Key{Consumer: consumer, MessageID: id}
	res, err := s.Claim(ctx, k, hash, time.Minute)
	require.NoError(t, err)
	require.NoError(t, s.Complete(ctx, k, res.Token, ttl))
}

// countingStore counts the lookups of the MemoryStore it wraps, and fails
// them with fail when set.
type countingStore struct {
	*idempotency.MemoryStore
	lookups atomic.Int64
	fail    error
}

func (s *countingStore) Lookup(ctx context.Context, k idempotency.Key, hash string) (bool, error) {
	s.lookups.Add(1)
	if s.fail != nil {
		return false, s.fail
	}
	return s.MemoryStore.Lookup(ctx, k, hash)
}

// plainStore hides the MemoryStore's Lookup: a custom store without it.
type plainStore struct{ idempotency.Store }

func TestUpgradeLegacyRecordIsCountedAndMarkedAsDuplicate(t *testing.T) {
	store := &countingStore{MemoryStore: newMemoryStore(t, idempotency.MemoryStoreConfig{})}
	completeLegacy(t, store, "c", "m-1", "", time.Hour)
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{Consumer: "c", LegacyKeysUntil: time.Now().Add(time.Hour)})
	rec := newRecorder()
	for range 2 {
		msg := typedMessage(legacyType, "m-1", "p")
		_, err := m.Middleware(rec.handle)(msg)
		require.NoError(t, err)
		assert.Equal(t, "true", msg.Metadata.Get(sourceflow.MetaDuplicate))
	}
	assert.Zero(t, rec.count("m-1"))
	assert.Equal(t, uint64(2), m.Stats().Duplicates)
	assert.Zero(t, m.Stats().Claims)
	assert.Equal(t, int64(1), store.lookups.Load(), "the second delivery finds its own key completed")
}

func TestUpgradeLegacyRecordPastItsTTLDoesNotCount(t *testing.T) {
	clock := newClock()
	store := newMemoryStore(t, idempotency.MemoryStoreConfig{Clock: clock})
	completeLegacy(t, store, "c", "m-1", "", time.Hour)
	clock.Advance(time.Hour)
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{Consumer: "c", Clock: clock, LegacyKeysUntil: clock.Now().Add(time.Hour)})
	rec := newRecorder()
	_, err := m.Middleware(rec.handle)(typedMessage(legacyType, "m-1", "p"))
	require.NoError(t, err)
	assert.Equal(t, 1, rec.count("m-1"), "an expired record of the previous release made the message a duplicate")
}

func TestUpgradeNoLegacyLookupPastTheDeadline(t *testing.T) {
	clock := newClock()
	store := &countingStore{MemoryStore: newMemoryStore(t, idempotency.MemoryStoreConfig{Clock: clock})}
	completeLegacy(t, store, "c", "m-1", "", 48*time.Hour)
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{Consumer: "c", Clock: clock, LegacyKeysUntil: clock.Now().Add(time.Hour)})
	rec := newRecorder()
	h := m.Middleware(rec.handle)
	_, err := h(typedMessage(legacyType, "m-1", "p"))
	require.NoError(t, err)
	require.Equal(t, int64(1), store.lookups.Load(), "before the deadline")

	clock.Advance(time.Hour)
	_, err = h(typedMessage(legacyType, "m-2", "p"))
	require.NoError(t, err)
	completeLegacy(t, store, "c", "m-3", "", 48*time.Hour)
	_, err = h(typedMessage(legacyType, "m-3", "p"))
	require.NoError(t, err)
	assert.Equal(t, int64(1), store.lookups.Load(), "a lookup was made at or after LegacyKeysUntil")
	assert.Equal(t, 1, rec.count("m-3"))
}

func TestUpgradeLegacyRecordOfAnotherConsumerDoesNotCount(t *testing.T) {
	store := newMemoryStore(t, idempotency.MemoryStoreConfig{})
	completeLegacy(t, store, "other", "m-1", "", time.Hour)
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{Consumer: "c", LegacyKeysUntil: time.Now().Add(time.Hour)})
	rec := newRecorder()
	_, err := m.Middleware(rec.handle)(typedMessage(legacyType, "m-1", "p"))
	require.NoError(t, err)
	assert.Equal(t, 1, rec.count("m-1"))
}

func TestUpgradeLegacyRecordOfAnotherPayloadDoesNotCount(t *testing.T) {
	store := newMemoryStore(t, idempotency.MemoryStoreConfig{})
	completeLegacy(t, store, "c", "m-1", idempotency.DefaultHash(sfMessage("m-1", "other")), time.Hour)
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{Consumer: "c", LegacyKeysUntil: time.Now().Add(time.Hour)})
	rec := newRecorder()
	_, err := m.Middleware(rec.handle)(typedMessage(legacyType, "m-1", "p"))
	require.NoError(t, err)
	assert.Equal(t, 1, rec.count("m-1"))
}

func TestUpgradeStoreWithoutLookerHandlesAsBefore(t *testing.T) {
	mem := newMemoryStore(t, idempotency.MemoryStoreConfig{})
	store := plainStore{mem}
	completeLegacy(t, store, "c", "m-1", "", time.Hour)
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{Consumer: "c", LegacyKeysUntil: time.Now().Add(time.Hour)})
	rec := newRecorder()
	h := m.Middleware(rec.handle)
	for range 2 {
		_, err := h(typedMessage(legacyType, "m-1", "p"))
		require.NoError(t, err)
	}
	assert.Equal(t, 1, rec.count("m-1"), "handled once under its new key, as before the lookup")
	assert.Equal(t, uint64(1), m.Stats().Duplicates)
}

func TestUpgradeLegacyLookupFailureReleasesTheClaim(t *testing.T) {
	store := &countingStore{MemoryStore: newMemoryStore(t, idempotency.MemoryStoreConfig{}), fail: errors.New("store down")}
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{Consumer: "c", LegacyKeysUntil: time.Now().Add(time.Hour)})
	rec := newRecorder()
	h := m.Middleware(rec.handle)
	_, err := h(typedMessage(legacyType, "m-1", "p"))
	require.ErrorContains(t, err, `idempotency: lookup c/m-1: store down`)
	assert.Zero(t, rec.count("m-1"))
	assert.Equal(t, uint64(1), m.Stats().StoreErrors)

	store.fail = nil
	_, err = h(typedMessage(legacyType, "m-1", "p"))
	require.NoError(t, err, "the claim was released: the redelivery is handled at once")
	assert.Equal(t, 1, rec.count("m-1"))
}

// An untyped message the previous release completed under its id alone
// is a duplicate too; one whose id reads as a key part of this release's
// is not looked up (see TestUpgradeLegacyLookupIgnoresATypedKeyOfThisRelease).
func TestUpgradeUntypedMessageIsLookedUpUnderItsID(t *testing.T) {
	store := &countingStore{MemoryStore: newMemoryStore(t, idempotency.MemoryStoreConfig{})}
	completeLegacy(t, store, "c", "m-1", "", time.Hour)
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{Consumer: "c", LegacyKeysUntil: time.Now().Add(time.Hour)})
	rec := newRecorder()
	h := m.Middleware(rec.handle)
	_, err := h(sfMessage("m-1", "p"))
	require.NoError(t, err)
	assert.Zero(t, rec.count("m-1"), "the untyped message the previous release completed was handled again")
	assert.Equal(t, int64(1), store.lookups.Load())

	_, err = h(sfMessage("1:a:m-2", "p"))
	require.NoError(t, err)
	assert.Equal(t, 1, rec.count("1:a:m-2"))
	assert.Equal(t, int64(1), store.lookups.Load(), "an id that reads as a typed key part was looked up")
}

func TestUpgradeLegacyKeyTheStoreRefusesHasNoRecord(t *testing.T) {
	store := newMemoryStore(t, idempotency.MemoryStoreConfig{})
	consumer := strings.Repeat("c", idempotency.MaxKeyLength+1) // hashed by KeyOf, refused as a legacy key
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{Consumer: consumer, LegacyKeysUntil: time.Now().Add(time.Hour)})
	rec := newRecorder()
	_, err := m.Middleware(rec.handle)(typedMessage(legacyType, "m-1", "p"))
	require.NoError(t, err)
	assert.Equal(t, 1, rec.count("m-1"))
}
