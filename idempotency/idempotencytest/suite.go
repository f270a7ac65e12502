package idempotencytest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/idempotency"
)

const (
	// Short is the lease and TTL the expiry tests use.
	Short = time.Second
	// Long is a lease or TTL that does not expire during a test.
	Long = time.Hour
	// Timeout bounds the wait for an expiry to be observed.
	Timeout = 15 * time.Second
)

// NewStoreFunc returns a fresh, empty store for one subtest.
type NewStoreFunc func(t *testing.T) idempotency.Store

// Run runs the conformance suite against the stores newStore returns.
func Run(t *testing.T, newStore NewStoreFunc) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s idempotency.Store)
	}{
		{"FirstClaimAcquires", testFirstClaimAcquires},
		{"SecondClaimInProgress", testSecondClaimInProgress},
		{"CompletedIsDuplicate", testCompletedIsDuplicate},
		{"ReleaseAllowsReclaim", testReleaseAllowsReclaim},
		{"ExpiredLeaseIsReclaimedOnce", testExpiredLeaseReclaimed},
		{"CompletedRecordExpiresAfterTTL", testCompletedExpires},
		{"PayloadMismatch", testPayloadMismatch},
		{"EmptyHashSkipsCheck", testEmptyHash},
		{"StaleTokenIsFenced", testStaleToken},
		{"ExtendKeepsClaimPastLease", testExtendKeepsClaim},
		{"ExtendStaleTokenLeaseLost", testExtendStaleToken},
		{"ExtendAfterCompleteLeaseLost", testExtendAfterComplete},
		{"ExtendAfterReleaseLeaseLost", testExtendAfterRelease},
		{"KeysAreScopedByConsumer", testConsumerScope},
		{"InvalidArguments", testInvalidArguments},
		{"ConcurrentClaimsOneWinner", testConcurrentClaims},
		{"ConcurrentClaimsManyKeys", testConcurrentManyKeys},
		{"CloseRefusesLaterCalls", testCloseRefusesLaterCalls},
		{"CallsRacingCloseFailWithErrClosed", testCallsRacingClose},
		{"LookupFindsCompleted", testLookupFindsCompleted},
		{"LookupWritesNothing", testLookupWritesNothing},
		{"LookupOfExpiredRecord", testLookupExpired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newStore(t))
		})
	}
}

func key(t *testing.T, id string) idempotency.Key {
	return idempotency.Key{Consumer: "consumer-" + t.Name(), MessageID: id}
}

func claim(t *testing.T, s idempotency.Store, k idempotency.Key, hash string, lease time.Duration) idempotency.ClaimResult {
	t.Helper()
	res, err := s.Claim(context.Background(), k, hash, lease)
	require.NoError(t, err)
	return res
}

func testFirstClaimAcquires(t *testing.T, s idempotency.Store) {
	res := claim(t, s, key(t, "m1"), "h1", Long)
	assert.Equal(t, idempotency.Acquired, res.Status)
	assert.NotEmpty(t, res.Token)
}

func testSecondClaimInProgress(t *testing.T, s idempotency.Store) {
	k := key(t, "m1")
	first := claim(t, s, k, "h1", Long)
	require.Equal(t, idempotency.Acquired, first.Status)
	second := claim(t, s, k, "h1", Long)
	assert.Equal(t, idempotency.InProgress, second.Status)
	assert.Empty(t, second.Token)
}

func testCompletedIsDuplicate(t *testing.T, s idempotency.Store) {
	ctx := context.Background()
	k := key(t, "m1")
	res := claim(t, s, k, "h1", Long)
	require.NoError(t, s.Complete(ctx, k, res.Token, Long))
	for range 3 {
		assert.Equal(t, idempotency.Completed, claim(t, s, k, "h1", Long).Status)
	}
	assert.ErrorIs(t, s.Release(ctx, k, res.Token), idempotency.ErrLeaseLost,
		"a completed claim cannot be released")
}

func testReleaseAllowsReclaim(t *testing.T, s idempotency.Store) {
	ctx := context.Background()
	k := key(t, "m1")
	first := claim(t, s, k, "h1", Long)
	require.NoError(t, s.Release(ctx, k, first.Token))
	second := claim(t, s, k, "h1", Long)
	assert.Equal(t, idempotency.Acquired, second.Status)
	assert.NotEqual(t, first.Token, second.Token)
	assert.ErrorIs(t, s.Release(ctx, k, first.Token), idempotency.ErrLeaseLost)
}

// waitStatus claims k until the claim returns want, and returns that result.
// A claim that fails is tried again on the next tick; if none succeeds, the
// failure reports the last tick's error or status.
func waitStatus(t *testing.T, s idempotency.Store, k idempotency.Key, want idempotency.ClaimStatus) idempotency.ClaimResult {
	t.Helper()
	var got idempotency.ClaimResult
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		res, err := s.Claim(context.Background(), k, "h1", Long)
		if !assert.NoError(c, err) {
			return
		}
		got = res
		assert.Equal(c, want, res.Status)
	}, Timeout, 50*time.Millisecond, "claim of %s never became %s", k, want)
	return got
}

func testExpiredLeaseReclaimed(t *testing.T, s idempotency.Store) {
	ctx := context.Background()
	k := key(t, "m1")
	start := time.Now()
	crashed := claim(t, s, k, "h1", Short)
	require.Equal(t, idempotency.Acquired, crashed.Status)
	whileShortHolds(t, start, idempotency.InProgress, claim(t, s, k, "h1", Long).Status)

	again := waitStatus(t, s, k, idempotency.Acquired)
	assert.NotEqual(t, crashed.Token, again.Token)
	// The re-claim holds a long lease: no third consumer gets it.
	assert.Equal(t, idempotency.InProgress, claim(t, s, k, "h1", Long).Status)
	require.NoError(t, s.Complete(ctx, k, again.Token, Long))
	assert.Equal(t, idempotency.Completed, claim(t, s, k, "h1", Long).Status)
}

func testCompletedExpires(t *testing.T, s idempotency.Store) {
	ctx := context.Background()
	k := key(t, "m1")
	res := claim(t, s, k, "h1", Long)
	start := time.Now()
	require.NoError(t, s.Complete(ctx, k, res.Token, Short))
	whileShortHolds(t, start, idempotency.Completed, claim(t, s, k, "h1", Long).Status)
	again := waitStatus(t, s, k, idempotency.Acquired)
	assert.NotEmpty(t, again.Token)
}

func testPayloadMismatch(t *testing.T, s idempotency.Store) {
	ctx := context.Background()
	k := key(t, "m1")
	res := claim(t, s, k, "h1", Long)
	_, err := s.Claim(ctx, k, "h2", Long)
	require.ErrorIs(t, err, idempotency.ErrPayloadMismatch, "in progress")
	require.NoError(t, s.Complete(ctx, k, res.Token, Long))
	_, err = s.Claim(ctx, k, "h2", Long)
	require.ErrorIs(t, err, idempotency.ErrPayloadMismatch, "completed")
	assert.Equal(t, idempotency.Completed, claim(t, s, k, "h1", Long).Status, "the record is intact")
	other := claim(t, s, key(t, "m2"), "h2", Long)
	assert.Equal(t, idempotency.Acquired, other.Status, "other keys are unaffected")
}

func testEmptyHash(t *testing.T, s idempotency.Store) {
	ctx := context.Background()
	k := key(t, "m1")
	res := claim(t, s, k, "", Long)
	require.NoError(t, s.Complete(ctx, k, res.Token, Long))
	assert.Equal(t, idempotency.Completed, claim(t, s, k, "h9", Long).Status)
	k2 := key(t, "m2")
	res = claim(t, s, k2, "h1", Long)
	require.NoError(t, s.Complete(ctx, k2, res.Token, Long))
	assert.Equal(t, idempotency.Completed, claim(t, s, k2, "", Long).Status)
}

func testStaleToken(t *testing.T, s idempotency.Store) {
	ctx := context.Background()
	complete := func(k idempotency.Key, token string) error { return s.Complete(ctx, k, token, Long) }
	release := func(k idempotency.Key, token string) error { return s.Release(ctx, k, token) }
	k := key(t, "m1")
	fresh := reclaimStale(t, s, k, complete, release)
	checkFresh(t, s, k, fresh, complete)
}

// tokenOp is a Store call made with a lease token.
// whileShortHolds asserts that a claim made after start found want, when
// it was made before a Short lease or TTL taken at start could end. On a
// machine so loaded that the calls took longer (an emulator serving one
// request at a time), the record may rightly have expired: the test then
// goes on to what it checks next.
func whileShortHolds(t *testing.T, start time.Time, want, got idempotency.ClaimStatus) {
	t.Helper()
	if elapsed := time.Since(start); elapsed >= Short {
		t.Logf("the calls took %v, past the Short lease: not checking for %s (got %s)", elapsed, want, got)
		return
	}
	assert.Equal(t, want, got)
}

type tokenOp func(k idempotency.Key, token string) error

// reclaimStale claims k with a Short lease and waits until a new claim takes
// it over; every op then fails with ErrLeaseLost for the old holder's token.
// It returns the new claim.
func reclaimStale(t *testing.T, s idempotency.Store, k idempotency.Key, ops ...tokenOp) idempotency.ClaimResult {
	stale := claim(t, s, k, "h1", Short)
	fresh := waitStatus(t, s, k, idempotency.Acquired)
	for _, op := range ops {
		assert.ErrorIs(t, op(k, stale.Token), idempotency.ErrLeaseLost)
	}
	return fresh
}

// checkFresh checks that the new claim still holds k, completes it, and
// checks that op fails with ErrLeaseLost on a key nobody claimed.
func checkFresh(t *testing.T, s idempotency.Store, k idempotency.Key, fresh idempotency.ClaimResult, op tokenOp) {
	assert.Equal(t, idempotency.InProgress, claim(t, s, k, "h1", Long).Status, "fresh lease intact")
	require.NoError(t, s.Complete(context.Background(), k, fresh.Token, Long))
	assert.ErrorIs(t, op(key(t, "never-claimed"), "nope"), idempotency.ErrLeaseLost)
}

func testConsumerScope(t *testing.T, s idempotency.Store) {
	a := idempotency.Key{Consumer: "a-" + t.Name(), MessageID: "m1"}
	b := idempotency.Key{Consumer: "b-" + t.Name(), MessageID: "m1"}
	assert.Equal(t, idempotency.Acquired, claim(t, s, a, "h1", Long).Status)
	assert.Equal(t, idempotency.Acquired, claim(t, s, b, "h1", Long).Status)
}

func testInvalidArguments(t *testing.T, s idempotency.Store) {
	ctx := context.Background()
	_, err := s.Claim(ctx, idempotency.Key{Consumer: "c"}, "h", Long)
	assert.ErrorIs(t, err, idempotency.ErrInvalidKey)
	_, err = s.Claim(ctx, idempotency.Key{MessageID: "m"}, "h", Long)
	assert.ErrorIs(t, err, idempotency.ErrInvalidKey)
	_, err = s.Claim(ctx, key(t, "m\xff"), "h", Long)
	assert.ErrorIs(t, err, idempotency.ErrInvalidKey, "a message id that is not UTF-8")
	_, err = s.Claim(ctx, key(t, "m1"), "h", 0)
	assert.ErrorIs(t, err, idempotency.ErrInvalidDuration)
	res := claim(t, s, key(t, "m1"), "h", Long)
	assert.ErrorIs(t, s.Complete(ctx, key(t, "m1"), res.Token, -time.Second), idempotency.ErrInvalidDuration)
	assert.ErrorIs(t, s.Extend(ctx, key(t, "m1"), res.Token, 0), idempotency.ErrInvalidDuration)
	assert.ErrorIs(t, s.Extend(ctx, idempotency.Key{Consumer: "c"}, res.Token, Long), idempotency.ErrInvalidKey)
	assert.Equal(t, idempotency.Acquired, res.Status, "a rejected call loses nothing")
	require.NoError(t, s.Complete(ctx, key(t, "m1"), res.Token, Long))
}

// concurrentClaims claims k from n goroutines at once and returns the
// results and the joined errors. It does not fail the test itself, so it may
// run outside the test goroutine.
func concurrentClaims(s idempotency.Store, k idempotency.Key, n int) ([]idempotency.ClaimResult, error) {
	results := make([]idempotency.ClaimResult, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			results[i], errs[i] = s.Claim(context.Background(), k, "h1", Long)
		})
	}
	close(start)
	wg.Wait()
	return results, errors.Join(errs...)
}

func countStatus(results []idempotency.ClaimResult) map[idempotency.ClaimStatus]int {
	m := map[idempotency.ClaimStatus]int{}
	for _, r := range results {
		m[r.Status]++
	}
	return m
}

func testConcurrentClaims(t *testing.T, s idempotency.Store) {
	const n = 32
	res, err := concurrentClaims(s, key(t, "m1"), n)
	require.NoError(t, err)
	got := countStatus(res)
	assert.Equal(t, map[idempotency.ClaimStatus]int{idempotency.Acquired: 1, idempotency.InProgress: n - 1}, got)
}

func testConcurrentManyKeys(t *testing.T, s idempotency.Store) {
	const keys, per = 20, 8
	var mu sync.Mutex
	acquired := map[string]int{}
	var errs []error
	var wg sync.WaitGroup
	for i := range keys {
		wg.Go(func() {
			k := key(t, fmt.Sprintf("m%d", i))
			res, err := concurrentClaims(s, k, per)
			mu.Lock()
			errs = append(errs, err)
			acquired[k.MessageID] += countStatus(res)[idempotency.Acquired]
			mu.Unlock()
		})
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	require.Len(t, acquired, keys)
	for id, n := range acquired {
		assert.Equal(t, 1, n, "key %s", id)
	}
}
