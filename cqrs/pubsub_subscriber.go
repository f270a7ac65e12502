package cqrs

import (
	"context"
	"fmt"

	"github.com/ThreeDotsLabs/watermill/message"
)

// topicPublisher publishes a destination's messages to its topic.
type topicPublisher struct {
	pub   message.Publisher
	topic func(string) string
}

func (p topicPublisher) Publish(destination string, msgs ...*message.Message) error {
	return p.pub.Publish(p.topic(destination), msgs...)
}

// Close does nothing: the transport owns the publisher.
func (topicPublisher) Close() error { return nil }

// pubsubSubscriber relays the inner subscriber's messages with redelivery
// and dead letters.
type pubsubSubscriber struct {
	t      *PubSubTransport
	inner  message.Subscriber
	relays relays
}

// Subscribe subscribes to destination's topic.
func (s *pubsubSubscriber) Subscribe(ctx context.Context, destination string) (<-chan *message.Message, error) {
	ctx, cancel := context.WithCancel(ctx)
	in, err := s.inner.Subscribe(ctx, s.t.cfg.Topic(destination))
	if err != nil {
		cancel()
		return nil, fmt.Errorf("cqrs: subscribe to %q: %w", destination, err)
	}
	r := redelivery{maxDeliveries: s.t.cfg.MaxDeliveries, delay: s.t.cfg.RedeliveryDelay,
		deadLetter: func(_ string, m *message.Message, reason string, deliveries int) error {
			return s.t.deadLetter(destination, m, reason, deliveries)
		}}
	out := make(chan *message.Message)
	s.relays.start(cancel, func() { r.relay(ctx, destination, in, out, func() {}) })
	return out, nil
}

// Close ends the subscriptions, closes the inner subscriber and waits for
// the relays.
func (s *pubsubSubscriber) Close() error {
	s.relays.stop()
	err := s.inner.Close()
	s.relays.wait()
	return err
}
