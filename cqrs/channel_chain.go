package cqrs

import (
	"context"

	"github.com/ThreeDotsLabs/watermill/message"
)

// A synchronous publish made by a handler whose chain holds a keyed lock
// (see sync_chain.go) carries the chain to the handlers of its messages,
// which can then release it rather than wait for that lock for good. A
// released publish goes on in the background, holding back later messages
// to its destination (gochannel publishes to one destination one message at
// a time) until its handler took the lock and finished: what the chain
// publishes to that destination meanwhile is handed over behind it, and a
// publish of the chain already waiting behind it (two handlers of one event
// sending there at once) is released too.

// deliveryKey keys, in the context of a message publishInChain publishes,
// the chain link its handlers continue.
type deliveryKey struct{}

// lockingChain returns the synchronous chain of the first of msgs sent by
// a handler whose chain holds a keyed lock, or nil.
func lockingChain(msgs []*message.Message) *chainLink {
	for _, m := range msgs {
		if c := chainOf(m.Context()); c.holds() {
			return c
		}
	}
	return nil
}

// continueChain returns live continuing the synchronous chain m was
// published for, if any.
func continueChain(live context.Context, m *message.Message) context.Context {
	if link, ok := m.Context().Value(deliveryKey{}).(*chainLink); ok {
		return context.WithValue(live, chainKey{}, link)
	}
	return live
}

// publishInChain publishes msgs to dest for chain, which holds a keyed
// lock, and waits until they were handled, or until a handler of theirs
// released the publish because it waits for a lock chain holds.
func (t *ChannelTransport) publishInChain(dest string, msgs []*message.Message, chain *chainLink) error {
	if t.keptUnheard(dest, msgs) {
		return nil
	}
	if err := t.claim(dest, len(msgs)); err != nil {
		return err
	}
	var d *syncDelivery
	d = newSyncDelivery(func(l *keyLock) { t.stall(dest, d, l) })
	carried := make([]*message.Message, len(msgs))
	for i, m := range msgs {
		carried[i] = m.Copy()
		carried[i].SetContext(context.WithValue(m.Context(), deliveryKey{}, &chainLink{parent: chain, delivery: d}))
	}
	done, err := t.publishInBackground(dest, msgs, carried, d)
	if err != nil {
		return err
	}
	return t.awaitInChain(senderContext(msgs), dest, chain, d, done)
}

// awaitInChain waits until the publish of d to dest for chain returned
// (done), or d was released: by a handler of its message, or here when
// another delivery to dest, released meanwhile, waits for a lock chain holds.
// The publish of d then waits behind that delivery (gochannel publishes to
// one destination one message at a time), and its publisher must not wait
// for it: it goes on in the background, as if handed over. So it does when
// ctx, its sender's, ends first, and the publisher is told so (see
// stoppedWaiting).
func (t *ChannelTransport) awaitInChain(ctx context.Context, dest string, chain *chainLink, d *syncDelivery, done <-chan error) error {
	for {
		l, stalled := t.stalledOn(dest, chain, d)
		if l != nil {
			d.release(l)
			select {
			case <-d.released:
				return nil
			default: // its publish returned first
				return <-done
			}
		}
		select {
		case err := <-done:
			return err
		case <-d.released:
			return nil
		case <-stalled:
		case <-ctx.Done():
			return stopWaiting(ctx, d, done)
		}
	}
}

// publishReleasable publishes carried, the copies of msgs publishInChain
// made, and returns the error for its publisher; once d was released the
// publisher has been told nothing, so a failure dead-letters msgs instead.
func (t *ChannelTransport) publishReleasable(dest string, msgs, carried []*message.Message, d *syncDelivery) error {
	err := t.publish(dest, carried...)
	released := d.finish()
	t.unstall(dest, d)
	if err == nil {
		return nil
	}
	t.received(dest, len(msgs))
	if released {
		t.handOverFailed(dest, msgs, err)
		return nil
	}
	return err
}

// stall records that d, a released delivery to dest, waits for l.
func (t *ChannelTransport) stall(dest string, d *syncDelivery, l *keyLock) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stalls == nil {
		t.stalls = map[string]map[*syncDelivery][]*keyLock{}
	}
	if t.stalls[dest] == nil {
		t.stalls[dest] = map[*syncDelivery][]*keyLock{}
	}
	t.stalls[dest][d] = append(t.stalls[dest][d], l)
	if t.stalled != nil {
		close(t.stalled) // wakes the publishes in awaitInChain
		t.stalled = nil
	}
}

// unstall forgets what d, whose publish to dest returned, waited for.
func (t *ChannelTransport) unstall(dest string, d *syncDelivery) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.stalls[dest], d)
	if len(t.stalls[dest]) == 0 {
		delete(t.stalls, dest)
	}
}

// stalledFor reports whether a released delivery to dest waits for a lock
// chain holds: a publish to dest would wait behind it for good.
func (t *ChannelTransport) stalledFor(dest string, chain *chainLink) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.stalledLocked(dest, chain, nil) != nil
}

// stalledOn returns the lock chain holds that a released delivery to dest
// other than d waits for, or nil, and a channel closed when a delivery is
// next released.
func (t *ChannelTransport) stalledOn(dest string, chain *chainLink, d *syncDelivery) (*keyLock, <-chan struct{}) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stalled == nil {
		t.stalled = make(chan struct{})
	}
	return t.stalledLocked(dest, chain, d), t.stalled
}

// stalledLocked is the lock chain holds that a released delivery to dest
// other than skip waits for, or nil; the caller holds mu.
func (t *ChannelTransport) stalledLocked(dest string, chain *chainLink, skip *syncDelivery) *keyLock {
	for other, locks := range t.stalls[dest] {
		if other == skip {
			continue
		}
		for _, l := range locks {
			if chain.holds(l) {
				return l
			}
		}
	}
	return nil
}
