package idempotency_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/idempotency/idempotencytest"
	"github.com/sourceflow-go/sourceflow/internal/clocktest"
)

// newClock returns a manual clock for a store's leases and TTLs.
func newClock() *clocktest.Manual {
	return clocktest.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
}

func newMemoryStore(t *testing.T, cfg idempotency.MemoryStoreConfig) *idempotency.MemoryStore {
	t.Helper()
	s, err := idempotency.NewMemoryStore(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

func TestMemoryStoreConformance(t *testing.T) {
	idempotencytest.Run(t, func(t *testing.T) idempotency.Store {
		return newMemoryStore(t, idempotency.MemoryStoreConfig{})
	})
}

func TestMemoryStoreConfigValidate(t *testing.T) {
	_, err := idempotency.NewMemoryStore(idempotency.MemoryStoreConfig{MaxEntries: -1, SweepInterval: -time.Second})
	require.Error(t, err)
	assert.ErrorContains(t, err, "MaxEntries")
	assert.ErrorContains(t, err, "SweepInterval")
}

func claimAndComplete(t *testing.T, s idempotency.Store, id string, ttl time.Duration) {
	t.Helper()
	ctx := context.Background()
	k := idempotency.Key{Consumer: "c", MessageID: id}
	res, err := s.Claim(ctx, k, "", time.Minute)
	require.NoError(t, err)
	require.Equal(t, idempotency.Acquired, res.Status, id)
	require.NoError(t, s.Complete(ctx, k, res.Token, ttl))
}

func status(t *testing.T, s idempotency.Store, id string) idempotency.ClaimStatus {
	t.Helper()
	res, err := s.Claim(context.Background(), idempotency.Key{Consumer: "c", MessageID: id}, "", time.Minute)
	require.NoError(t, err)
	return res.Status
}

func TestMemoryStoreEvictsOldestCompletedFirst(t *testing.T) {
	clock := newClock()
	s := newMemoryStore(t, idempotency.MemoryStoreConfig{MaxEntries: 3, Clock: clock})
	claimAndComplete(t, s, "old", time.Hour)
	clock.Advance(time.Second)
	claimAndComplete(t, s, "mid", time.Hour)
	_, err := s.Claim(context.Background(), idempotency.Key{Consumer: "c", MessageID: "lease"}, "", time.Hour)
	require.NoError(t, err)

	claimAndComplete(t, s, "new", time.Hour) // full: evicts "old"
	assert.Equal(t, uint64(1), s.Stats().Evicted)
	assert.Equal(t, 3, s.Stats().Entries)
	assert.Equal(t, idempotency.Completed, status(t, s, "mid"))
	assert.Equal(t, idempotency.Completed, status(t, s, "new"))
	assert.Equal(t, idempotency.InProgress, status(t, s, "lease"), "the lease survives eviction")
}

// With several TTLs on one store, the record that expires first goes first,
// not the one completed first: an expired record before a live one, and a
// short-lived one before a long-lived one completed earlier.
func TestMemoryStoreEvictsTheFirstToExpire(t *testing.T) {
	clock := newClock()
	s := newMemoryStore(t, idempotency.MemoryStoreConfig{MaxEntries: 3, Clock: clock})
	claimAndComplete(t, s, "day", 24*time.Hour)
	clock.Advance(time.Second)
	claimAndComplete(t, s, "hour", time.Hour)
	clock.Advance(time.Second)
	claimAndComplete(t, s, "minute", time.Minute)
	clock.Advance(2 * time.Minute) // "minute" expired

	claimAndComplete(t, s, "a", 24*time.Hour) // full: drops the expired "minute"
	assert.Equal(t, uint64(0), s.Stats().Evicted, "an expired record is not an eviction")
	claimAndComplete(t, s, "b", 24*time.Hour) // full: evicts "hour", the first live one to expire
	assert.Equal(t, uint64(1), s.Stats().Evicted)
	assert.Equal(t, idempotency.Completed, status(t, s, "day"), "the long-lived record completed first is kept")
	assert.Equal(t, idempotency.Completed, status(t, s, "a"))
}

func TestMemoryStoreNeverEvictsLiveLeases(t *testing.T) {
	clock := newClock()
	s := newMemoryStore(t, idempotency.MemoryStoreConfig{MaxEntries: 2, Clock: clock})
	ctx := context.Background()
	for _, id := range []string{"a", "b"} {
		_, err := s.Claim(ctx, idempotency.Key{Consumer: "c", MessageID: id}, "", time.Minute)
		require.NoError(t, err)
	}
	_, err := s.Claim(ctx, idempotency.Key{Consumer: "c", MessageID: "x"}, "", time.Minute)
	require.ErrorIs(t, err, idempotency.ErrStoreFull)
	assert.Equal(t, idempotency.InProgress, status(t, s, "a"), "existing leases are kept")
	assert.Equal(t, idempotency.InProgress, status(t, s, "b"))

	clock.Advance(2 * time.Minute) // leases expire: room again
	assert.Equal(t, idempotency.Acquired, status(t, s, "x"))
}

func TestMemoryStoreSweepRemovesExpired(t *testing.T) {
	clock := newClock()
	s := newMemoryStore(t, idempotency.MemoryStoreConfig{Clock: clock, SweepInterval: time.Hour})
	for i := range 5 {
		claimAndComplete(t, s, fmt.Sprintf("short-%d", i), time.Minute)
	}
	claimAndComplete(t, s, "long", time.Hour)
	assert.Equal(t, 0, s.Sweep(), "nothing expired yet")

	clock.Advance(2 * time.Minute)
	assert.Equal(t, 5, s.Sweep())
	st := s.Stats()
	assert.Equal(t, 1, st.Entries)
	assert.Equal(t, uint64(5), st.Swept)
	assert.Equal(t, uint64(2), st.Sweeps)
	assert.Equal(t, idempotency.Completed, status(t, s, "long"))
}

func TestMemoryStoreBackgroundSweepRuns(t *testing.T) {
	clock := newClock()
	s := newMemoryStore(t, idempotency.MemoryStoreConfig{Clock: clock, SweepInterval: 5 * time.Millisecond})
	for i := range 10 {
		claimAndComplete(t, s, fmt.Sprintf("m-%d", i), time.Minute)
	}
	clock.Advance(2 * time.Minute)
	require.Eventually(t, func() bool {
		st := s.Stats()
		return st.Entries == 0 && st.Swept == 10
	}, 5*time.Second, 5*time.Millisecond, "the background sweeper never removed the expired records")
	assert.Positive(t, s.Stats().Sweeps)
}

func TestMemoryStoreClosed(t *testing.T) {
	s, err := idempotency.NewMemoryStore(idempotency.MemoryStoreConfig{})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "Close is idempotent")
	_, err = s.Claim(context.Background(), idempotency.Key{Consumer: "c", MessageID: "m"}, "", time.Minute)
	assert.ErrorIs(t, err, idempotency.ErrClosed)
	assert.ErrorIs(t, s.Extend(context.Background(), idempotency.Key{Consumer: "c", MessageID: "m"}, "t", time.Minute),
		idempotency.ErrClosed)
}

func BenchmarkMemoryStoreClaimComplete(b *testing.B) {
	s, err := idempotency.NewMemoryStore(idempotency.MemoryStoreConfig{MaxEntries: 1 << 20})
	require.NoError(b, err)
	defer s.Close()
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		k := idempotency.Key{Consumer: "bench", MessageID: fmt.Sprintf("m-%d", i)}
		res, err := s.Claim(ctx, k, "hash", time.Minute)
		if err != nil || res.Status != idempotency.Acquired {
			b.Fatalf("claim %v: %v %v", k, res.Status, err)
		}
		if err := s.Complete(ctx, k, res.Token, time.Hour); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMemoryStoreAtCapacity(b *testing.B) {
	s, err := idempotency.NewMemoryStore(idempotency.MemoryStoreConfig{MaxEntries: 100_000})
	require.NoError(b, err)
	defer s.Close()
	ctx := context.Background()
	claimComplete := func(i int) {
		k := idempotency.Key{Consumer: "bench", MessageID: strconv.Itoa(i)}
		res, err := s.Claim(ctx, k, "", time.Minute)
		if err != nil || res.Status != idempotency.Acquired {
			b.Fatalf("claim %v: %v %v", k, res.Status, err)
		}
		if err := s.Complete(ctx, k, res.Token, time.Hour); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 100_000 {
		claimComplete(-1 - i) // fill the store
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		claimComplete(i) // every claim evicts the oldest completed record
	}
	assert.Equal(b, 100_000, s.Stats().Entries)
}

func TestMemoryStoreSweepKeepsALapsedLeaseForItsHolder(t *testing.T) {
	clock := newClock()
	s := newMemoryStore(t, idempotency.MemoryStoreConfig{Clock: clock, SweepInterval: time.Hour})
	ctx := context.Background()
	late := idempotency.Key{Consumer: "c", MessageID: "late"}
	res, err := s.Claim(ctx, late, "", time.Minute)
	require.NoError(t, err)
	crashed := idempotency.Key{Consumer: "c", MessageID: "crashed"}
	_, err = s.Claim(ctx, crashed, "", time.Minute)
	require.NoError(t, err)

	clock.Advance(2 * time.Minute)
	assert.Equal(t, 0, s.Sweep(), "a lease that ran out is kept")
	require.NoError(t, s.Complete(ctx, late, res.Token, 2*idempotency.LapsedLeaseRetention), "its holder may still complete")

	clock.Advance(idempotency.LapsedLeaseRetention)
	assert.Equal(t, 1, s.Sweep(), "a lease that ran out a retention ago goes")
	assert.Equal(t, idempotency.Completed, status(t, s, "late"))
}
