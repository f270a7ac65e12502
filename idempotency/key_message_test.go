package idempotency_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
)

func typedMessage(typ, id, payload string) *message.Message {
	msg := sfMessage(id, payload)
	msg.Metadata.Set(sourceflow.MetaType, typ)
	return msg
}

// Two messages of two types that share one id are two messages: the second
// is handled, not acknowledged as a duplicate of the first; a redelivery of
// either is still a duplicate.
func TestMiddlewareHandlesTwoTypesSharingAnID(t *testing.T) {
	m := newMiddleware(t, newMemoryStore(t, idempotency.MemoryStoreConfig{}), idempotency.MiddlewareConfig{Consumer: "c"})
	var handled []string
	h := m.Middleware(func(msg *message.Message) ([]*message.Message, error) {
		handled = append(handled, msg.Metadata.Get(sourceflow.MetaType))
		return nil, nil
	})
	for _, typ := range []string{"billing.Refund", "orders.CreateOrder", "billing.Refund", "orders.CreateOrder"} {
		_, err := h(typedMessage(typ, "m-1", "p"))
		require.NoError(t, err)
	}
	assert.Equal(t, []string{"billing.Refund", "orders.CreateOrder"}, handled)
	assert.Equal(t, uint64(2), m.Stats().Duplicates)
}

// The key's message id part holds the type length-prefixed, so no other
// type and id read alike; a message without a type has the prefix of an
// empty type, so that its key is never the previous release's key (a bare
// id) of another message.
func TestKeyOfPrefixesTheTypeWithItsLength(t *testing.T) {
	m := newMiddleware(t, newMemoryStore(t, idempotency.MemoryStoreConfig{}), idempotency.MiddlewareConfig{Consumer: "c"})
	for _, tc := range []struct{ typ, id, want string }{
		{"orders.CreateOrder", "m-1", "18:orders.CreateOrder:m-1"},
		{"a:b", "c", "3:a:b:c"},
		{"a", "b:c", "1:a:b:c"},
		{"", "m-1", "0::m-1"},
		{"", "1:a:b:c", "0::1:a:b:c"},
		{"", "sha256:00", "0::sha256:00"},
		{"", "12345", "0::12345"},
	} {
		k, err := m.KeyOf(typedMessage(tc.typ, tc.id, ""))
		require.NoError(t, err)
		assert.Equal(t, idempotency.Key{Consumer: "c", MessageID: tc.want}, k)
	}
}

// A type and id longer together than MaxKeyLength are hashed to fit it, so
// every bundled store takes the key of a message whose id alone it takes.
func TestKeyOfHashesALongTypeAndIDToFitMaxKeyLength(t *testing.T) {
	store := newMemoryStore(t, idempotency.MemoryStoreConfig{})
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{Consumer: "c"})
	id := strings.Repeat("i", idempotency.MaxKeyLength)
	keys := map[string]bool{}
	for _, typ := range []string{"orders.CreateOrder", "orders.CancelOrder", ""} {
		k, err := m.KeyOf(typedMessage(typ, id, ""))
		require.NoError(t, err)
		assert.LessOrEqual(t, len(k.MessageID), idempotency.MaxKeyLength)
		again, err := m.KeyOf(typedMessage(typ, id, ""))
		require.NoError(t, err)
		assert.Equal(t, k, again, "the key of one message is the same on every delivery")
		keys[k.MessageID] = true
		_, err = store.Claim(context.Background(), k, "", time.Minute)
		require.NoError(t, err)
	}
	assert.Len(t, keys, 3, "two types, or a type and none, give two keys")
	k, err := m.KeyOf(typedMessage("orders.CreateOrder", id+"\xff", ""))
	require.ErrorIs(t, err, idempotency.ErrInvalidKey, "an id not UTF-8 is refused, hashed or not")
	assert.True(t, sourceflow.IsPermanent(err))
	assert.Zero(t, k)
}

// A type that is not UTF-8 is refused before any claim, named as the type.
func TestKeyOfRefusesATypeThatIsNotUTF8(t *testing.T) {
	m := newMiddleware(t, newMemoryStore(t, idempotency.MemoryStoreConfig{}), idempotency.MiddlewareConfig{Consumer: "c"})
	_, err := m.KeyOf(typedMessage("orders.\xffCreate", "m-1", ""))
	require.ErrorIs(t, err, idempotency.ErrInvalidKey)
	assert.True(t, sourceflow.IsPermanent(err))
	assert.Equal(t, `idempotency: invalid key: the message type is not UTF-8: orders.\xffCreate`, err.Error())
}
