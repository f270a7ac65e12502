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

// Subscribe subscribes to destination's topic. When ctx ends or Close is
// called, the subscription drains: it takes no new message and lets the
// deliveries in flight reach their ack or nack, for up to
// PubSubConfig.CloseTimeout, before the inner subscription ends.
func (s *pubsubSubscriber) Subscribe(ctx context.Context, destination string) (<-chan *message.Message, error) {
	ctx, cancel := context.WithCancel(ctx)
	innerCtx, endInner := context.WithCancel(context.WithoutCancel(ctx))
	in, err := s.inner.Subscribe(innerCtx, s.t.cfg.Topic(destination))
	if err != nil {
		cancel()
		endInner()
		return nil, fmt.Errorf("cqrs: subscribe to %q: %w", destination, err)
	}
	r := redelivery{maxDeliveries: s.t.cfg.MaxDeliveries, delay: s.t.cfg.RedeliveryDelay, backoff: true, drain: s.t.cfg.CloseTimeout,
		deadLetter: func(_ string, m *message.Message, reason string, deliveries int) error {
			return s.t.deadLetter(destination, m, reason, deliveries)
		}}
	out := make(chan *message.Message)
	s.relays.start(cancel, func() {
		defer endInner()
		r.relay(ctx, destination, in, out, func() {})
	})
	return out, nil
}

// Close drains the subscriptions (see Subscribe), then closes the inner
// subscriber.
func (s *pubsubSubscriber) Close() error {
	s.relays.stop()
	s.relays.wait()
	return s.inner.Close()
}
