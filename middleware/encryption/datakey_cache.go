package encryption

import (
	"sync"
	"sync/atomic"
	"time"
)

// dataKey is a plaintext data key ready for use, with its KMS-wrapped form and
// its usage so far. The key bytes live only inside keys and are never
// overwritten: when the key is retired the cache drops its reference, and any
// goroutine still encrypting with it finishes with the intact key (zeroing in
// place would race with those users and produce undecryptable messages).
type dataKey struct {
	keys     keys
	wrapped  []byte
	keyID    string
	created  time.Time
	messages atomic.Int64
	bytes    atomic.Int64
}

// dataKeyLimits bounds how long and how much one data key is used.
type dataKeyLimits struct {
	maxAge      time.Duration
	maxMessages int64
	maxBytes    int64
}

// reserve counts one message of n bytes against k and reports whether k may
// encrypt it. A refused reservation leaves the key exhausted.
func (k *dataKey) reserve(now time.Time, n int64, l dataKeyLimits) bool {
	if now.Sub(k.created) >= l.maxAge {
		return false
	}
	if k.messages.Add(1) > l.maxMessages {
		return false
	}
	// The message that crosses the byte bound is the last one, so that a
	// fresh key always takes at least one message, however large.
	return k.bytes.Add(n)-n < l.maxBytes
}

// usable reports whether k has room left, without reserving any.
func (k *dataKey) usable(now time.Time, l dataKeyLimits) bool {
	return now.Sub(k.created) < l.maxAge && k.messages.Load() < l.maxMessages && k.bytes.Load() < l.maxBytes
}

// dataKeyCache holds the current data key per (key id, encryption context).
// It holds at most maxEntries keys; when full, the oldest entry is dropped.
// Keys past maxAge are swept every maxAge.
type dataKeyCache struct {
	mu         sync.Mutex
	entries    map[string]*dataKey
	maxEntries int
	maxAge     time.Duration
	now        func() time.Time
	sweeper    sweeper
}

func newDataKeyCache(maxEntries int, maxAge time.Duration, now func() time.Time) *dataKeyCache {
	c := &dataKeyCache{entries: make(map[string]*dataKey), maxEntries: maxEntries, maxAge: maxAge, now: now}
	c.sweeper = sweeper{period: maxAge, sweep: c.sweep}
	return c
}

// sweep drops the keys past maxAge and returns how many are left.
func (c *dataKeyCache) sweep() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	for name, k := range c.entries {
		if now.Sub(k.created) >= c.maxAge {
			delete(c.entries, name)
		}
	}
	return len(c.entries)
}

func (c *dataKeyCache) get(key string) *dataKey {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.entries[key]
}

func (c *dataKeyCache) put(key string, k *dataKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[key]; !ok && len(c.entries) >= c.maxEntries {
		oldest := ""
		for name, e := range c.entries {
			if oldest == "" || e.created.Before(c.entries[oldest].created) {
				oldest = name
			}
		}
		delete(c.entries, oldest)
	}
	c.entries[key] = k
	c.sweeper.arm()
}

func (c *dataKeyCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
