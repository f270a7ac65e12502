package cqrs

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// Gochannel drops what is published to a topic nobody subscribes to, as
// pub/sub does: an event raised to a destination whose consumers closed for
// good concerns nobody. One case loses an event that had a consumer: a
// handler still draining as its service closes (its subscription ended,
// its context still live, see outliving) raises an event after the
// subscription of the event's destination, often the service's own view,
// ended too. The handler's change is done, so such an event is kept as a
// dead letter instead.
//
// A service's subscriptions do not end at one instant (Watermill closes
// each handler's subscriber on its own), so a handler whose subscription
// is about to end may raise its event just after the event's destination
// lost its last subscription. What tells a handler caught in that close is
// thus either that its subscription ended, or that the destination lost
// its last subscription while the handler was handling, after its message
// was last delivered to it. A handler whose message came later, or was
// delivered again later, the destination already unheard, is live: what it
// raises there is dropped.

// errUnheard is the reason an event raised by a handler caught in a close
// is dead-lettered with.
var errUnheard = errors.New("cqrs: not delivered: every subscription of the event destination had closed")

// handling is what a handler's context records of the delivery of its
// message.
type handling struct {
	// sub is the context of the subscription that handed the message on: it
	// ends as the subscription stops taking messages.
	sub context.Context
	// by is the transport whose subscription handed the message on.
	by *ChannelTransport
	// since is by's losses when the message was last handed to its
	// consumer: each delivery marks it again (see remark).
	since atomic.Uint64
	// dest is the destination the message was consumed from.
	dest string
	// waitsOn is, on the synchronous transport, the destinations (of any
	// synchronous ChannelTransport) the handler's publishes now wait on,
	// one entry a publish; guarded by waitsMu (see waitFor).
	waitsOn []syncWait
	// waitsBuf backs waitsOn while a handler waits on one publish at a
	// time, the usual case: no allocation.
	waitsBuf [1]syncWait
}

// handlingKey keys the handling in the context of a message's handlers.
type handlingKey struct{}

// handingOn returns live, the context the handlers of m, which the
// subscription sub of dest hands on now, run in, recording their handling.
func (t *ChannelTransport) handingOn(live, sub context.Context, dest string, m *message.Message) context.Context {
	h := &handling{sub: sub, by: t, dest: dest}
	h.since.Store(t.losses.Load())
	return context.WithValue(live, handlingKey{}, h)
}

// remark marks the handling of m, a delivery about to be handed to its
// consumer, as handed on now, so that a message delivered again after a
// destination lost its last subscription is handled by a live handler
// there, as one that came then.
func remark(m *message.Message) {
	if h, ok := m.Context().Value(handlingKey{}).(*handling); ok {
		h.since.Store(h.by.losses.Load())
	}
}

// lost records that dest lost its last subscription; the caller holds mu.
func (t *ChannelTransport) lost(dest string) {
	t.lostAt[dest] = t.losses.Add(1)
}

// keptUnheard dead-letters msgs, published to dest, and reports true when
// they are unheard (see unheard); the publisher, whose own change is done,
// is not failed for a consumer that went away. Anything else is left to
// gochannel, which drops an event nobody subscribes to.
func (t *ChannelTransport) keptUnheard(dest string, msgs []*message.Message) bool {
	if !t.unheard(dest, msgs) {
		return false
	}
	t.keepUnheard(dest, msgs)
	return true
}

// unheard reports whether dest is an event destination that had
// subscriptions and has none left, and a handler caught in a close raised
// msgs (see raisedInClose).
func (t *ChannelTransport) unheard(dest string, msgs []*message.Message) bool {
	t.mu.Lock()
	lostAt := t.lostAt[dest]
	unheard := !t.closed && t.kinds[dest] != sourceflow.KindCommand && lostAt > 0 && t.ready[dest] == 0
	t.mu.Unlock()
	return unheard && t.raisedInClose(msgs, lostAt)
}

// keepUnheard dead-letters msgs, untagged, unheard at dest.
func (t *ChannelTransport) keepUnheard(dest string, msgs []*message.Message) {
	for _, m := range msgs {
		t.deadLetter(DeadLetter{Destination: dest, Message: untagged(m), Reason: errUnheard.Error()})
	}
}

// raisedInClose reports whether one of msgs was published by a handler whose
// subscription has ended, or whose message was last delivered before the
// destination lost its last subscription, at losses lostAt. The publisher
// passes the handler's context (or one derived from it) as the message's,
// on the synchronous and the asynchronous transport alike. Losses count
// per transport, so only a handler of t is told by when its message was
// last delivered; one of another transport (a HybridTransport's) only by its
// subscription's end.
func (t *ChannelTransport) raisedInClose(msgs []*message.Message, lostAt uint64) bool {
	for _, m := range msgs {
		h, ok := m.Context().Value(handlingKey{}).(*handling)
		if ok && (h.sub.Err() != nil || (h.by == t && h.since.Load() < lostAt)) {
			return true
		}
	}
	return false
}
