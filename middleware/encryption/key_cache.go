package encryption

import (
	"container/list"
	"sync"
	"time"
)

// keyCache is a cache of data keys: the Encrypter's (*dataKey, by encryption
// context) and the Decrypter's (unwrapped keys, by a digest of the wrapped
// key, the encryption context and the key Decrypt is pinned to, so that a
// wrapped key presented under another context or another key misses and
// goes to KMS, which refuses it). It is an LRU of
// at most maxEntries keys, each valid for ttl from the time it is put with.
// Evicted keys are dropped, never overwritten (see dataKey); expired ones
// are swept every ttl.
type keyCache[V any] struct {
	mu         sync.Mutex
	ll         *list.List
	items      map[string]*list.Element
	maxEntries int
	ttl        time.Duration
	now        func() time.Time
	sweeper    sweeper
}

type keyCacheEntry[V any] struct {
	key     string
	val     V
	expires time.Time
}

func newKeyCache[V any](maxEntries int, ttl time.Duration, now func() time.Time) *keyCache[V] {
	c := &keyCache[V]{ll: list.New(), items: make(map[string]*list.Element), maxEntries: maxEntries, ttl: ttl, now: now}
	c.sweeper = sweeper{period: ttl, sweep: c.sweep}
	return c
}

// sweep drops the expired keys and returns how many are left.
func (c *keyCache[V]) sweep() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	for el := c.ll.Back(); el != nil; {
		prev := el.Prev()
		if e := el.Value.(*keyCacheEntry[V]); !now.Before(e.expires) {
			c.ll.Remove(el)
			delete(c.items, e.key)
		}
		el = prev
	}
	return c.ll.Len()
}

// get returns the key cached under key unless it expired by now.
func (c *keyCache[V]) get(key string, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var zero V
	el, ok := c.items[key]
	if !ok {
		return zero, false
	}
	e := el.Value.(*keyCacheEntry[V])
	if !now.Before(e.expires) {
		c.ll.Remove(el)
		delete(c.items, key)
		return zero, false
	}
	c.ll.MoveToFront(el)
	return e.val, true
}

// put caches v under key until ttl after from, dropping the least recently
// used key when the cache is full.
func (c *keyCache[V]) put(key string, v V, from time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		e := el.Value.(*keyCacheEntry[V])
		e.val, e.expires = v, from.Add(c.ttl)
		c.ll.MoveToFront(el)
		return
	}
	c.items[key] = c.ll.PushFront(&keyCacheEntry[V]{key: key, val: v, expires: from.Add(c.ttl)})
	c.sweeper.arm()
	for c.ll.Len() > c.maxEntries {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(*keyCacheEntry[V]).key)
	}
}

func (c *keyCache[V]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}
