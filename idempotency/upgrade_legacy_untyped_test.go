package idempotency_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
)

// An untyped message this release completed lies under the key the
// previous release gave a typed message with its id: a sender reusing
// that id without a type must not make the typed message a duplicate.
// (The typed message is encrypted, so it has no payload hash to tell the
// two apart.)
func TestUpgradeLegacyLookupIgnoresAnUntypedMessageOfThisRelease(t *testing.T) {
	store := newMemoryStore(t, idempotency.MemoryStoreConfig{})
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{Consumer: "c", LegacyKeysUntil: time.Now().Add(time.Hour)})
	rec := newRecorder()
	h := m.Middleware(rec.handle)
	_, err := h(sfMessage("m-1", "spoof"))
	require.NoError(t, err)
	victim := typedMessage(legacyType, "m-1", "ciphertext")
	victim.Metadata.Set(sourceflow.MetaEncryption, "v1")
	_, err = h(victim)
	require.NoError(t, err)
	assert.Equal(t, 2, rec.count("m-1"), "an untyped message of this release made a typed one a duplicate")
}
