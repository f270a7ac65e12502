package idempotency_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/idempotency"
)

// A consumer name longer than MaxKeyLength (a long service name and
// destination make the router handler's) is hashed like a long message id
// part, so the default MemoryStore takes the key: the message is handled
// once, and its redelivery is a duplicate, not a permanent ErrInvalidKey.
func TestMiddlewareHandlesAConsumerNameOverMaxKeyLength(t *testing.T) {
	consumer := strings.Repeat("c", idempotency.MaxKeyLength+1)
	m := newMiddleware(t, newMemoryStore(t, idempotency.MemoryStoreConfig{}), idempotency.MiddlewareConfig{Consumer: consumer})
	runs := 0
	h := m.Middleware(func(*message.Message) ([]*message.Message, error) {
		runs++
		return nil, nil
	})
	for range 2 {
		_, err := h(typedMessage("orders.CreateOrder", "m-1", "p"))
		require.NoError(t, err)
	}
	assert.Equal(t, 1, runs)
	assert.Equal(t, uint64(1), m.Stats().Duplicates)

	k, err := m.KeyOf(typedMessage("orders.CreateOrder", "m-1", ""))
	require.NoError(t, err)
	assert.LessOrEqual(t, len(k.Consumer), idempotency.MaxKeyLength)
	assert.True(t, strings.HasPrefix(k.Consumer, "sha256:"), k.Consumer)
}

// A consumer name that reads as a hashed one is hashed too, so no short
// name shares the key of a long one; other names are kept as they are.
func TestKeyOfKeepsConsumerNamesApart(t *testing.T) {
	long := strings.Repeat("c", idempotency.MaxKeyLength+1)
	sum := sha256.Sum256([]byte(long))
	lookalike := "sha256:" + hex.EncodeToString(sum[:])
	keys := map[string]bool{}
	for _, consumer := range []string{long, lookalike, "svc/orders"} {
		m := newMiddleware(t, newMemoryStore(t, idempotency.MemoryStoreConfig{}), idempotency.MiddlewareConfig{Consumer: consumer})
		k, err := m.KeyOf(typedMessage("", "m-1", ""))
		require.NoError(t, err)
		keys[k.Consumer] = true
	}
	assert.Len(t, keys, 3)
	assert.True(t, keys["svc/orders"], "a short name is kept: %v", keys)

	m := newMiddleware(t, newMemoryStore(t, idempotency.MemoryStoreConfig{}), idempotency.MiddlewareConfig{Consumer: long + "\xff"})
	_, err := m.KeyOf(typedMessage("", "m-1", ""))
	require.ErrorIs(t, err, idempotency.ErrInvalidKey, "a name not UTF-8 is refused, hashed or not")
}
