package cqrs

import (
	"context"

	"github.com/ThreeDotsLabs/watermill/message"
)

// channelSubscriber relays gochannel messages to its consumer, redelivering
// failed ones a bounded number of times and dead-lettering the rest into the
// transport's list.
type channelSubscriber struct {
	t      *ChannelTransport
	relays relays
}

// Subscribe subscribes to the destination's gochannel topic. When ctx ends
// or Close is called, the subscription takes no new message, and the
// handlers in flight keep a live context for up to
// ChannelConfig.CloseTimeout to finish in. Gochannel gives up on its
// messages as the subscription ends, so a message that fails meanwhile,
// waits for its next delivery, or is still in its handler when
// CloseTimeout runs out, is dead-lettered rather than redelivered.
func (s *channelSubscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	if err := s.t.listen(topic); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	ps, err := s.t.channel(topic)
	var in <-chan *message.Message
	if err == nil {
		in, err = ps.Subscribe(ctx, topic)
	}
	if err != nil {
		cancel()
		s.t.unlisten(topic, false)
		return nil, err
	}
	s.t.subscribed(topic)
	r := redelivery{maxDeliveries: s.t.cfg.MaxDeliveries, delay: s.t.cfg.RedeliveryDelay,
		drain: s.t.cfg.CloseTimeout, keepsNothing: true,
		deadLetter: func(topic string, m *message.Message, reason string, deliveries int) error {
			s.t.deadLetter(DeadLetter{Destination: topic, Message: m, Reason: reason, Deliveries: deliveries})
			return nil
		}}
	live, endLive := r.deliveryContext(ctx)
	out := make(chan *message.Message)
	s.relays.start(cancel, func() {
		defer endLive()
		refuse := func(m *message.Message) { r.refuse(ctx, topic, m) }
		r.relay(ctx, topic, outliving(ctx, live, in, refuse), out, func() { s.t.unlisten(topic, true) })
	})
	return out, nil
}

// outliving gives each message of in the context live. Gochannel gives a
// message a context of its subscription's, which ends as the subscription
// does; the gochannel subscription itself must end then, so that a
// synchronous publish to it stops waiting. A message not handed on by then,
// and any gochannel still hands over until it closes in, goes to refuse:
// gochannel keeps nothing to deliver again.
func outliving(ctx, live context.Context, in <-chan *message.Message, refuse func(*message.Message)) <-chan *message.Message {
	out := make(chan *message.Message)
	go func() {
		defer close(out)
		for m := range in {
			m.SetContext(live)
			select {
			case out <- m:
			case <-ctx.Done():
				refuse(m)
				for m := range in { // gochannel closes in once the subscription ended
					refuse(m)
				}
				return
			}
		}
	}()
	return out
}

// Close ends this subscriber's subscriptions and waits for their relays.
func (s *channelSubscriber) Close() error {
	s.relays.stop()
	s.relays.wait()
	return nil
}
