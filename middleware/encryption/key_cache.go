package encryption

import (
	"container/list"
	"sync"
	"time"
)

// keyCache is the consume-side cache of unwrapped data keys: an LRU of at
// most maxEntries keys, each valid for ttl after it was unwrapped. It is
// keyed by a digest of the wrapped key and the encryption context, so a
// wrapped key presented under another context misses and goes to KMS, which
// refuses it. Evicted keys are dropped, never overwritten (see dataKey);
// expired ones are swept every ttl.
type keyCache struct {
	mu         sync.Mutex
	ll         *list.List
	items      map[string]*list.Element
	maxEntries int
	ttl        time.Duration
	now        func() time.Time
	sweeper    sweeper
}

type keyCacheEntry struct {
	key     string
	keys    keys
	expires time.Time
}

func newKeyCache(maxEntries int, ttl time.Duration, now func() time.Time) *keyCache {
	c := &keyCache{ll: list.New(), items: make(map[string]*list.Element), maxEntries: maxEntries, ttl: ttl, now: now}
	c.sweeper = sweeper{period: ttl, sweep: c.sweep}
	return c
}

// sweep drops the expired keys and returns how many are left.
func (c *keyCache) sweep() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	for el := c.ll.Back(); el != nil; {
		prev := el.Prev()
		if e := el.Value.(*keyCacheEntry); !now.Before(e.expires) {
			c.ll.Remove(el)
			delete(c.items, e.key)
		}
		el = prev
	}
	return c.ll.Len()
}

func (c *keyCache) get(key string, now time.Time) (keys, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return keys{}, false
	}
	e := el.Value.(*keyCacheEntry)
	if !now.Before(e.expires) {
		c.ll.Remove(el)
		delete(c.items, key)
		return keys{}, false
	}
	c.ll.MoveToFront(el)
	return e.keys, true
}

func (c *keyCache) put(key string, k keys, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		e := el.Value.(*keyCacheEntry)
		e.keys, e.expires = k, now.Add(c.ttl)
		c.ll.MoveToFront(el)
		return
	}
	c.items[key] = c.ll.PushFront(&keyCacheEntry{key: key, keys: k, expires: now.Add(c.ttl)})
	c.sweeper.arm()
	for c.ll.Len() > c.maxEntries {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(*keyCacheEntry).key)
	}
}

func (c *keyCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}
