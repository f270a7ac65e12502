package cqrs

import (
	"errors"

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

// errUnheard is claim's answer for an event destination whose every
// subscription ended: gochannel would drop what is published to it.
var errUnheard = errors.New("cqrs: not delivered: every subscription of the event destination had closed")

// claim counts n messages about to be published to dest, or returns
// ErrNoListener for a command destination with no subscription in place,
// or errUnheard for an event destination that had subscriptions and has
// none left (its services closed, or are closing while their handlers
// drain and raise events).
func (t *ChannelTransport) claim(dest string, n int) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.listenedLocked(dest); err != nil {
		return err
	}
	if !t.closed && t.kinds[dest] != sourceflow.KindCommand && t.heard[dest] && t.ready[dest] == 0 {
		return errUnheard
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

// unready takes a subscription of dest out of the ones publishes reach and
// returns a channel closed once every message published to dest so far has
// arrived.
func (t *ChannelTransport) unready(dest string) <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ready[dest]--
	idle := make(chan struct{})
	if t.pending[dest] == 0 {
		close(idle)
		return idle
	}
	t.idle[dest] = append(t.idle[dest], idle)
	return idle
}

// subscriptionEnd is what outliving does as its subscription ends.
type subscriptionEnd struct {
	// received counts a message as arrived.
	received func()
	// quiesce stops new publishes reaching the subscription and returns a
	// channel closed once those under way arrived.
	quiesce func() <-chan struct{}
	// end ends the gochannel subscription, which then closes its channel.
	end func()
}

// channelEnd is the subscriptionEnd of a gochannel subscription of dest.
func (t *ChannelTransport) channelEnd(dest string, end func()) subscriptionEnd {
	return subscriptionEnd{
		received: func() { t.received(dest, 1) },
		quiesce:  func() <-chan struct{} { return t.unready(dest) },
		end:      end,
	}
}

// publishCounted publishes msgs to dest, counted until they arrive.
func (t *ChannelTransport) publishCounted(dest string, msgs []*message.Message) error {
	if err := t.claim(dest, len(msgs)); err != nil {
		return t.unheard(dest, msgs, err)
	}
	if err := t.publish(dest, msgs...); err != nil {
		t.received(dest, len(msgs))
		return err
	}
	return nil
}

// unheard dead-letters msgs, published to dest, when claim found that
// every subscription of the event destination had ended, and returns nil:
// the event is kept rather than dropped, and its publisher, whose own
// change is done, is not failed for a consumer that went away. Any other
// error is returned as it is.
func (t *ChannelTransport) unheard(dest string, msgs []*message.Message, err error) error {
	if !errors.Is(err, errUnheard) {
		return err
	}
	for _, m := range msgs {
		t.deadLetter(DeadLetter{Destination: dest, Message: m.Copy(), Reason: err.Error()})
	}
	return nil
}
