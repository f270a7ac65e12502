package idempotency_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/idempotency"
)

// A record this release wrote is never taken for one of the previous
// release: the lookup of a message's previous key must not let one sender
// drop another's message, as the type in the key was added to prevent.

// An untyped message whose id reads as the key part of a typed one is
// looked up under that id, which may be another sender's typed key this
// release completed: it is handled, not dropped.
func TestUpgradeLegacyLookupIgnoresATypedKeyOfThisRelease(t *testing.T) {
	store := newMemoryStore(t, idempotency.MemoryStoreConfig{})
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{Consumer: "c", LegacyKeysUntil: time.Now().Add(time.Hour)})
	rec := newRecorder()
	h := m.Middleware(rec.handle)
	_, err := h(typedMessage(legacyType, "m-1", "")) // key "19:orders.OrderCreated:m-1"
	require.NoError(t, err)
	victim := "19:" + legacyType + ":m-1"
	_, err = h(sfMessage(victim, ""))
	require.NoError(t, err)
	assert.Equal(t, 1, rec.count(victim), "another sender's typed message made this untyped one a duplicate")
}
