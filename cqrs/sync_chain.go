package cqrs

import (
	"context"
	"sync"
	"sync/atomic"
)

// On the synchronous ChannelTransport a publish waits for the handlers of
// what it published, so a handler holding a keyed lock (a saga's entity)
// waits, through its publish, for every handler downstream; one of those
// needing that same lock would wait for good. A handler's context therefore
// records its synchronous chain: the keyed locks held along it and the
// deliveries whose publishers wait. A handler about to wait for a lock its
// own chain holds releases the publish waiting for its message first (see
// keyedMutex.lockIn): that publish returns as if its message had been handed
// over, the chain goes on and frees the lock, and the message is handled
// then.

type chainKey struct{}

// chainLink is one link of a synchronous chain, newest first: a keyed lock
// a handler of the chain holds, or the delivery of a message whose
// publisher waits for its handlers.
type chainLink struct {
	parent   *chainLink
	lock     *keyLock
	delivery *syncDelivery
}

// syncDelivery is a message published on the synchronous ChannelTransport
// by a handler whose chain holds a keyed lock; its publisher waits until
// the message was handled, or until a handler of it releases it.
type syncDelivery struct {
	onRelease func(*keyLock) // records the lock a released delivery waits for
	released  chan struct{}
	ended     atomic.Bool // released, or its publish returned: nobody waits on it

	mu          sync.Mutex
	wasReleased bool
	finished    bool
}

func newSyncDelivery(onRelease func(*keyLock)) *syncDelivery {
	return &syncDelivery{onRelease: onRelease, released: make(chan struct{})}
}

// release stops the publisher waiting: a handler of the message waits for
// l, which the publisher's chain holds.
func (d *syncDelivery) release(l *keyLock) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.finished {
		return
	}
	d.onRelease(l)
	d.markReleasedLocked()
}

// markReleasedLocked marks d released, once: nobody waits on it any more.
// The caller holds d.mu.
func (d *syncDelivery) markReleasedLocked() {
	if !d.wasReleased {
		d.wasReleased = true
		d.ended.Store(true)
		close(d.released)
	}
}

// finish records that the publish returned and reports whether the
// delivery was released before.
func (d *syncDelivery) finish() (released bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.finished = true
	d.ended.Store(true)
	return d.wasReleased
}

// chainOf returns the newest link of ctx's synchronous chain, or nil.
func chainOf(ctx context.Context) *chainLink {
	c, _ := ctx.Value(chainKey{}).(*chainLink)
	return c
}

// withHeldLock returns ctx recording that its chain holds l.
func withHeldLock(ctx context.Context, l *keyLock) context.Context {
	return context.WithValue(ctx, chainKey{}, &chainLink{parent: chainOf(ctx), lock: l})
}

// live returns the links of c that still wait on the newest: those up to
// the first delivery nobody waits for any more.
func (c *chainLink) live(yield func(*chainLink) bool) {
	for ; c != nil; c = c.parent {
		if c.delivery != nil && c.delivery.ended.Load() {
			return
		}
		if !yield(c) {
			return
		}
	}
}

// waiterOn returns the nearest delivery of c to release for c to take l:
// the chain holds l further up and waits on c through that delivery. It is
// nil when the chain does not hold l, or holds it with no delivery between
// (taking l would wait on itself in one handler).
func (c *chainLink) waiterOn(l *keyLock) *syncDelivery {
	var nearest *syncDelivery
	for link := range c.live {
		if link.lock == l {
			return nearest
		}
		if nearest == nil && link.delivery != nil {
			nearest = link.delivery
		}
	}
	return nil
}

// holds reports whether c's live chain holds any keyed lock, or, with
// locks, any of those.
func (c *chainLink) holds(locks ...*keyLock) bool {
	for link := range c.live {
		if link.lock == nil {
			continue
		}
		if len(locks) == 0 {
			return true
		}
		for _, l := range locks {
			if link.lock == l {
				return true
			}
		}
	}
	return false
}
