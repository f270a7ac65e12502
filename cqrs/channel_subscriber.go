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

// Subscribe subscribes to the destination's gochannel topic.
func (s *channelSubscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	if err := s.t.listen(topic); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	in, err := s.t.pubsub.Subscribe(ctx, topic)
	if err != nil {
		cancel()
		s.t.unlisten(topic)
		return nil, err
	}
	r := redelivery{maxDeliveries: s.t.cfg.MaxDeliveries, delay: s.t.cfg.RedeliveryDelay,
		deadLetter: func(topic string, m *message.Message, reason string, deliveries int) error {
			s.t.deadLetter(DeadLetter{Destination: topic, Message: m, Reason: reason, Deliveries: deliveries})
			return nil
		}}
	out := make(chan *message.Message)
	s.relays.start(cancel, func() { r.relay(ctx, topic, in, out, func() { s.t.unlisten(topic) }) })
	return out, nil
}

// Close ends this subscriber's subscriptions and waits for their relays.
func (s *channelSubscriber) Close() error {
	s.relays.stop()
	s.relays.wait()
	return nil
}
