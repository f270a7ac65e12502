package cqrs

import (
	"context"

	"github.com/ThreeDotsLabs/watermill/message"
)

// On the synchronous transport a publish waits for the handlers of its
// messages, and gochannel publishes to one destination one message at a
// time, holding back the next until every subscriber acked the one before.
// A handler that publishes, itself or through the handlers of what it
// publishes, to a destination its synchronous chain is delivering to would
// thus wait for that delivery, which waits for it: a causation loop of any
// length (a saga's command raising an event whose reaction sends the
// command back) would wait on itself at its first cycle. So each handling
// records the destination of its message and the handling whose handler
// published it and waits (see handling), and a publish to a destination
// found along that chain is queued and handed over without waiting (see
// handover), in order behind what the chain published there before. The
// chain goes on and returns, and the queued message is delivered once the
// delivery holding its destination was acked: a loop goes round one cycle
// per delivery of the hand-over goroutine, until ServiceConfig.MaxHops
// stops it. A handed-over message's handling starts a chain of its own:
// its publisher did not wait for it.

// handedKey marks, in the context of a message queued for a hand-over
// goroutine, that its publisher does not wait for its handling.
type handedKey struct{}

// handedContext returns ctx marked as a handed-over message's.
func handedContext(ctx context.Context) context.Context {
	return context.WithValue(ctx, handedKey{}, true)
}

// waitingPublisher returns, on the synchronous transport, the handling
// whose handler published m and waits for its handling: nil when m was
// handed over, or published outside a handler of the transport (from
// another handler's context, context.Background()).
func (t *ChannelTransport) waitingPublisher(m *message.Message) *handling {
	if t.cfg.Async {
		return nil
	}
	ctx := m.Context()
	h, _ := ctx.Value(handlingKey{}).(*handling)
	if h == nil || ctx.Value(handedKey{}) != nil {
		return nil
	}
	return h
}

// deliveringTo reports whether one of msgs is published from a handler
// whose synchronous chain is delivering to dest: a handler of dest itself,
// or one a handler of dest waits for through the publishes between them.
// Waiting for msgs would wait on that handler.
func (t *ChannelTransport) deliveringTo(dest string, msgs []*message.Message) bool {
	for _, m := range msgs {
		h, _ := m.Context().Value(handlingKey{}).(*handling)
		for ; h != nil; h = h.from {
			if h.dest == dest && h.by == t {
				return true
			}
		}
	}
	return false
}
