package idempotencytest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/idempotency"
)

func lookup(t *testing.T, l idempotency.Looker, k idempotency.Key, hash string) bool {
	t.Helper()
	done, err := l.Lookup(context.Background(), k, hash)
	require.NoError(t, err)
	return done
}

// testLookupFindsCompleted: a live completed record is found under its
// own payload hash or an empty one on either side, not under another hash
// nor under another consumer.
func testLookupFindsCompleted(t *testing.T, s idempotency.Store) {
	l := optional[idempotency.Looker](t, s, "Lookup")
	k := key(t, "m1")
	res := claim(t, s, k, "h1", Long)
	require.NoError(t, s.Complete(context.Background(), k, res.Token, Long))
	assert.True(t, lookup(t, l, k, "h1"), "same hash")
	assert.True(t, lookup(t, l, k, ""), "no hash")
	assert.False(t, lookup(t, l, k, "h2"), "another payload")
	assert.False(t, lookup(t, l, idempotency.Key{Consumer: k.Consumer + "-other", MessageID: k.MessageID}, "h1"),
		"another consumer")

	u := key(t, "m2")
	res = claim(t, s, u, "", Long)
	require.NoError(t, s.Complete(context.Background(), u, res.Token, Long))
	assert.True(t, lookup(t, l, u, "h1"), "recorded without a hash")
}

// testLookupWritesNothing: no record, or an in-progress one, is not found,
// and the lookup leaves the key as it was: a claim of an absent key is
// acquired after it, and the holder of an in-progress one still completes.
func testLookupWritesNothing(t *testing.T, s idempotency.Store) {
	l := optional[idempotency.Looker](t, s, "Lookup")
	k := key(t, "m1")
	assert.False(t, lookup(t, l, k, "h1"), "absent")
	res := claim(t, s, k, "h1", Long)
	require.Equal(t, idempotency.Acquired, res.Status, "the lookup wrote no record")
	assert.False(t, lookup(t, l, k, "h1"), "in progress")
	require.NoError(t, s.Complete(context.Background(), k, res.Token, Long), "the lookup left the claim as it was")

	r := key(t, "m2")
	res = claim(t, s, r, "h1", Long)
	require.NoError(t, s.Release(context.Background(), r, res.Token))
	assert.False(t, lookup(t, l, r, "h1"), "released")
}

// testLookupExpired: a completed record past its TTL is not found.
func testLookupExpired(t *testing.T, s idempotency.Store) {
	l := optional[idempotency.Looker](t, s, "Lookup")
	k := key(t, "m1")
	res := claim(t, s, k, "h1", Long)
	require.NoError(t, s.Complete(context.Background(), k, res.Token, Short))
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		found, err := l.Lookup(context.Background(), k, "h1")
		if assert.NoError(c, err) {
			assert.False(c, found)
		}
	}, Timeout, Short/10, "the completed record was still found past its TTL")
}
