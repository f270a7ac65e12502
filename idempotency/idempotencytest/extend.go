package idempotencytest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/idempotency"
)

// testExtendKeepsClaim extends a Short lease before it runs out, for three
// times its length: competing claims stay InProgress throughout, and the
// holder completes.
func testExtendKeepsClaim(t *testing.T, s idempotency.Store) {
	ctx := context.Background()
	k := key(t, "m1")
	res := claim(t, s, k, "h1", Short)
	require.Equal(t, idempotency.Acquired, res.Status)
	deadline := time.Now().Add(3 * Short)
	for time.Now().Before(deadline) {
		require.NoError(t, s.Extend(ctx, k, res.Token, Short))
		assert.Equal(t, idempotency.InProgress, claim(t, s, k, "h1", Long).Status)
		time.Sleep(Short / 10)
	}
	require.NoError(t, s.Complete(ctx, k, res.Token, Long))
	assert.Equal(t, idempotency.Completed, claim(t, s, k, "h1", Long).Status)
}

// testExtendStaleToken: once an expired lease is re-claimed, the old holder
// can no longer extend it, and its attempt leaves the new claim intact.
func testExtendStaleToken(t *testing.T, s idempotency.Store) {
	extend := func(k idempotency.Key, token string) error { return s.Extend(context.Background(), k, token, Long) }
	k := key(t, "m1")
	fresh := reclaimStale(t, s, k, extend)
	require.NoError(t, extend(k, fresh.Token))
	checkFresh(t, s, k, fresh, extend)
}

// testExtendAfterComplete: a completed record is not turned back into a
// lease, and keeps its TTL.
func testExtendAfterComplete(t *testing.T, s idempotency.Store) {
	ctx := context.Background()
	k := key(t, "m1")
	res := claim(t, s, k, "h1", Long)
	require.NoError(t, s.Complete(ctx, k, res.Token, Short))
	assert.ErrorIs(t, s.Extend(ctx, k, res.Token, Long), idempotency.ErrLeaseLost)
	assert.Equal(t, idempotency.Completed, claim(t, s, k, "h1", Long).Status)
	again := waitStatus(t, s, k, idempotency.Acquired)
	assert.NotEqual(t, res.Token, again.Token, "the TTL was not extended")
}

func testExtendAfterRelease(t *testing.T, s idempotency.Store) {
	ctx := context.Background()
	k := key(t, "m1")
	res := claim(t, s, k, "h1", Long)
	require.NoError(t, s.Release(ctx, k, res.Token))
	assert.ErrorIs(t, s.Extend(ctx, k, res.Token, Long), idempotency.ErrLeaseLost)
	assert.Equal(t, idempotency.Acquired, claim(t, s, k, "h1", Long).Status)
}
