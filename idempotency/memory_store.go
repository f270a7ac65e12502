package idempotency

import (
	"cmp"
	"container/heap"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
	"github.com/sourceflow-go/sourceflow/internal/periodic"
)

// MemoryStoreConfig configures a MemoryStore.
type MemoryStoreConfig struct {
	// MaxEntries bounds the number of records. When a new key arrives at the
	// bound, the completed record that expires first is dropped (an evicted
	// duplicate would be processed again; with several TTLs on one store, a
	// short-lived record goes before a long-lived one completed earlier);
	// when there is none, expired leases are.
	// Live in-progress leases are never evicted: when every record is one,
	// Claim fails with ErrStoreFull (the message is redelivered later) rather
	// than silently forgetting a lease. Default 100 000.
	MaxEntries int
	// SweepInterval is how often a background goroutine removes expired
	// records. Default 1 minute.
	SweepInterval time.Duration
	// Clock is the time source of leases and TTLs. Default:
	// sourceflow.SystemClock(); tests inject a fake one.
	Clock sourceflow.Clock
}

func (c *MemoryStoreConfig) setDefaults() {
	c.MaxEntries = cmp.Or(c.MaxEntries, 100_000)
	c.SweepInterval = cmp.Or(c.SweepInterval, time.Minute)
	if c.Clock == nil {
		c.Clock = sourceflow.SystemClock()
	}
}

// Validate reports every invalid field.
func (c MemoryStoreConfig) Validate() error {
	return errors.Join(
		fieldcheck.NotNegative("MaxEntries", c.MaxEntries),
		fieldcheck.NotNegative("SweepInterval", c.SweepInterval),
	)
}

// MemoryStats are counters of a MemoryStore.
type MemoryStats struct {
	// Entries is the number of records held, expired ones included until swept.
	Entries int
	// Sweeps counts sweep runs (background and explicit).
	Sweeps uint64
	// Swept counts expired records removed by sweeps and lazily on access.
	Swept uint64
	// Evicted counts completed records evicted to respect MaxEntries.
	Evicted uint64
}

type memoryEntry struct {
	key       Key
	completed bool
	token     string
	hash      string
	expires   time.Time
	index     int // position in MemoryStore.done while completed, else -1
}

// expiryHeap holds the completed records, the one that expires first on top.
type expiryHeap []*memoryEntry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].expires.Before(h[j].expires) }
func (h expiryHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *expiryHeap) Push(x any) {
	e := x.(*memoryEntry)
	e.index = len(*h)
	*h = append(*h, e)
}
func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	e.index = -1
	return e
}

// MemoryStore is a Store held in process memory: the default for a single
// instance. It is bounded (see MemoryStoreConfig.MaxEntries; a key part
// longer than MaxKeyLength is refused with ErrInvalidKey) and sweeps
// expired records in a background goroutine until Close.
type MemoryStore struct {
	cfg     MemoryStoreConfig
	mu      sync.Mutex
	entries map[Key]*memoryEntry
	done    expiryHeap // completed records, the first to expire on top
	closed  bool

	sweeps, swept, evicted atomic.Uint64

	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
}

// NewMemoryStore returns a MemoryStore and starts its sweeper; Close stops it.
func NewMemoryStore(cfg MemoryStoreConfig) (*MemoryStore, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("idempotency: invalid MemoryStoreConfig: %w", err)
	}
	s := &MemoryStore{
		cfg:     cfg,
		entries: make(map[Key]*memoryEntry),
		stop:    make(chan struct{}),
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		periodic.Run(s.stop, s.cfg.SweepInterval, func() { s.Sweep() })
	}()
	return s, nil
}

// Close stops the sweeper. Later calls of Claim, Complete, Extend, Release
// and Lookup fail with ErrClosed. Close is idempotent.
func (s *MemoryStore) Close() error {
	s.stopOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		close(s.stop)
	})
	s.wg.Wait()
	return nil
}

// Sweep removes every expired completed record, and every in-progress one
// whose lease ended more than LapsedLeaseRetention ago, and returns how many
// it removed.
// The background sweeper calls it every SweepInterval.
func (s *MemoryStore) Sweep() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Clock.Now()
	n := 0
	for k, e := range s.entries {
		if e.completed && !now.Before(e.expires) || !now.Before(e.expires.Add(LapsedLeaseRetention)) {
			s.remove(k, e)
			n++
		}
	}
	s.sweeps.Add(1)
	s.swept.Add(uint64(n))
	return n
}

// Stats returns the store's counters.
func (s *MemoryStore) Stats() MemoryStats {
	s.mu.Lock()
	n := len(s.entries)
	s.mu.Unlock()
	return MemoryStats{Entries: n, Sweeps: s.sweeps.Load(), Swept: s.swept.Load(), Evicted: s.evicted.Load()}
}

// Claim implements Store.
func (s *MemoryStore) Claim(_ context.Context, key Key, payloadHash string, lease time.Duration) (ClaimResult, error) {
	if err := checkMemoryArgs(key, lease); err != nil {
		return ClaimResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ClaimResult{}, ErrClosed
	}
	now := s.cfg.Clock.Now()
	if e, ok := s.entries[key]; ok {
		if now.Before(e.expires) {
			return liveResult(key, e, payloadHash)
		}
		s.remove(key, e)
		s.swept.Add(1)
	}
	if err := s.makeRoom(); err != nil {
		return ClaimResult{}, err
	}
	tok := rand.Text()
	s.entries[key] = &memoryEntry{key: key, token: tok, hash: payloadHash, expires: now.Add(lease), index: -1}
	return ClaimResult{Status: Acquired, Token: tok}, nil
}

func liveResult(key Key, e *memoryEntry, payloadHash string) (ClaimResult, error) {
	if payloadHash != "" && e.hash != "" && payloadHash != e.hash {
		return ClaimResult{}, fmt.Errorf("%w: %s", ErrPayloadMismatch, key)
	}
	if e.completed {
		return ClaimResult{Status: Completed}, nil
	}
	return ClaimResult{Status: InProgress}, nil
}

// makeRoom frees one slot when the store is at MaxEntries, in O(log n)
// unless every record is a lease: it drops the completed record that expires
// first, or else the expired leases. Called with s.mu held.
func (s *MemoryStore) makeRoom() error {
	if len(s.entries) < s.cfg.MaxEntries {
		return nil
	}
	now := s.cfg.Clock.Now()
	if len(s.done) > 0 {
		e := s.done[0]
		if now.Before(e.expires) {
			s.evicted.Add(1)
		} else {
			s.swept.Add(1)
		}
		s.remove(e.key, e)
		return nil
	}
	for k, e := range s.entries {
		if !now.Before(e.expires) {
			s.remove(k, e)
			s.swept.Add(1)
		}
	}
	if len(s.entries) >= s.cfg.MaxEntries {
		return fmt.Errorf("%w: %d in-progress leases", ErrStoreFull, len(s.entries))
	}
	return nil
}

func (s *MemoryStore) remove(k Key, e *memoryEntry) {
	if e.index >= 0 {
		heap.Remove(&s.done, e.index)
	}
	delete(s.entries, k)
}

// Complete implements Store.
func (s *MemoryStore) Complete(_ context.Context, key Key, token string, ttl time.Duration) error {
	return s.withLease(checkMemoryArgs(key, ttl), key, token, true, func(e *memoryEntry) {
		e.completed = true
		e.expires = s.cfg.Clock.Now().Add(ttl)
		if e.index >= 0 {
			heap.Fix(&s.done, e.index)
		} else {
			heap.Push(&s.done, e)
		}
	})
}

// Extend implements Store.
func (s *MemoryStore) Extend(_ context.Context, key Key, token string, lease time.Duration) error {
	return s.withLease(checkMemoryArgs(key, lease), key, token, false, func(e *memoryEntry) {
		e.expires = s.cfg.Clock.Now().Add(lease)
	})
}

// Release implements Store.
func (s *MemoryStore) Release(_ context.Context, key Key, token string) error {
	return s.withLease(checkMemoryKey(key), key, token, false, func(e *memoryEntry) {
		s.remove(key, e)
	})
}

// withLease runs fn, with s locked, on the record of key held with token. It
// reports invalid (the arguments' error) first, then ErrClosed, then
// ErrLeaseLost when no such record is held; a completed record counts as held
// only when completedOK.
func (s *MemoryStore) withLease(invalid error, key Key, token string, completedOK bool, fn func(*memoryEntry)) error {
	if invalid != nil {
		return invalid
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	e, ok := s.entries[key]
	if !ok || e.token != token || (e.completed && !completedOK) {
		return fmt.Errorf("%w: %s", ErrLeaseLost, key)
	}
	fn(e)
	return nil
}

// Lookup implements Looker.
func (s *MemoryStore) Lookup(_ context.Context, key Key, payloadHash string) (bool, error) {
	if err := checkMemoryKey(key); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false, ErrClosed
	}
	e, ok := s.entries[key]
	if !ok || !e.completed || !s.cfg.Clock.Now().Before(e.expires) {
		return false, nil
	}
	return payloadHash == "" || e.hash == "" || payloadHash == e.hash, nil
}
