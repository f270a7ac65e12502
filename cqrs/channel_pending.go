package cqrs

import (
	"context"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// A gochannel subscription that ends drops what it is still being handed:
// a synchronous publish caught in that moment returns nil for a message
// nobody received. So a ChannelTransport counts, per command destination,
// the messages published and not yet received, and a subscription that
// ends first stops taking new publishes (the destination then has no
// listener), receives those under way (its relay dead-letters them), and
// only then ends its gochannel subscription.

// claim counts n messages about to be published to dest, or returns
// ErrNoListener for a command destination with no subscription in place.
func (t *ChannelTransport) claim(dest string, n int) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.listenedLocked(dest); err != nil {
		return err
	}
	if t.kinds[dest] == sourceflow.KindCommand {
		t.pending[dest] += n
	}
	return nil
}

// received counts n messages of dest as arrived at a subscription (or,
// when their publish failed, as never to arrive).
func (t *ChannelTransport) received(dest string, n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.pending[dest] == 0 {
		return
	}
	t.pending[dest] = max(t.pending[dest]-n, 0)
	if t.pending[dest] == 0 {
		delete(t.pending, dest)
		for _, ch := range t.idle[dest] {
			close(ch)
		}
		delete(t.idle, dest)
	}
}

// unready takes a subscription of dest, which awaits a, out of the ones
// publishes reach and returns a channel closed once every message
// published to dest so far has arrived.
func (t *ChannelTransport) unready(dest string, a *awaited) <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ready[dest]--
	t.unawaitedLocked(dest, a)
	if t.ready[dest] == 0 {
		t.lost(dest)
	}
	idle := make(chan struct{})
	if t.pending[dest] == 0 {
		close(idle)
		return idle
	}
	t.idle[dest] = append(t.idle[dest], idle)
	return idle
}

// subscriptionEnd is what outliving does as its subscription hands
// messages on and ends.
type subscriptionEnd struct {
	// received counts a message as arrived.
	received func()
	// handing returns the context the handlers of a message handed on now
	// run in, from live; nil: live itself.
	handing func(live context.Context, m *message.Message) context.Context
	// quiesce stops new publishes reaching the subscription and returns a
	// channel closed once those under way arrived.
	quiesce func() <-chan struct{}
	// end ends the gochannel subscription, which then closes its channel.
	end func()
	// awaited is what the subscription is yet to receive; nil: nothing is
	// tracked.
	awaited *awaited
	// neverReached, once gochannel closed the subscription's channel,
	// dead-letters what it awaited and never received; nil: nothing.
	neverReached func()
}

// channelEnd is the subscriptionEnd of a gochannel subscription of dest
// whose context is sub and which awaits a.
func (t *ChannelTransport) channelEnd(dest string, sub context.Context, end func(), a *awaited) subscriptionEnd {
	return subscriptionEnd{
		received: func() { t.received(dest, 1) },
		handing: func(live context.Context, m *message.Message) context.Context {
			return t.handingOn(live, sub, dest, m)
		},
		quiesce:      func() <-chan struct{} { return t.unready(dest, a) },
		end:          end,
		awaited:      a,
		neverReached: func() { t.neverReached(dest, a) },
	}
}

// arrive counts m as arrived, and strips its tag (see awaited).
func (e subscriptionEnd) arrive(m *message.Message) {
	e.received()
	if e.awaited != nil {
		e.awaited.arrived(m)
	}
}

// ended dead-letters, once gochannel closed the subscription's channel,
// what the subscription awaited and never received.
func (e subscriptionEnd) ended() {
	if e.neverReached != nil {
		e.neverReached()
	}
}

// handingOn is the context the handlers of m, handed on now, run in.
func (e subscriptionEnd) handingOn(live context.Context, m *message.Message) context.Context {
	if e.handing == nil {
		return live
	}
	return e.handing(live, m)
}

// publishCounted publishes msgs to dest, counted until they arrive, or
// keeps them as dead letters when a handler raised them to an event
// destination that lost its subscriptions meanwhile (see keptUnheard).
func (t *ChannelTransport) publishCounted(dest string, msgs []*message.Message) error {
	if t.keptUnheard(dest, msgs) {
		return nil
	}
	if err := t.claim(dest, len(msgs)); err != nil {
		return err
	}
	if err := t.publish(dest, msgs...); err != nil {
		t.received(dest, len(msgs))
		return err
	}
	return nil
}
