package idempotencytest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/idempotency"
)

// testExtendKeepsClaim extends a lease twice, each time to a length that
// ends after the lease before it, and claims once each earlier lease has
// run out: the claim stays InProgress, and the holder completes. The
// leases are long enough (five times Short) that a slow store still extends
// them in time; what is waited for is the lease running out, nothing else.
func testExtendKeepsClaim(t *testing.T, s idempotency.Store) {
	ctx := context.Background()
	k := key(t, "m1")
	lease := 5 * Short
	until := time.Now().Add(lease)
	res := claim(t, s, k, "h1", lease)
	require.Equal(t, idempotency.Acquired, res.Status)
	for range 2 {
		require.NoError(t, s.Extend(ctx, k, res.Token, 2*lease))
		time.Sleep(time.Until(until.Add(Short / 2))) // the lease before this extension has run out
		until = until.Add(lease)
		assert.Equal(t, idempotency.InProgress, claim(t, s, k, "h1", Long).Status)
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
