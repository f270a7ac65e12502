package cqrs

import (
	"context"
	"fmt"
	"sync"
	"time"

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

// innerGrace is how long an inner subscription lives on after its last
// delivery settled, so that the Pub/Sub commits or deletes the acks given
// while draining before its context ends.
const innerGrace = 2 * time.Second

// pubsubSubscriber relays the inner subscriber's messages with redelivery
// and dead letters.
type pubsubSubscriber struct {
	t      *PubSubTransport
	inner  message.Subscriber
	relays relays

	mu        sync.Mutex
	endInners []context.CancelFunc // end the inner subscriptions

	closeOnce sync.Once
	closeErr  error
}

// Subscribe subscribes to destination's topic. When ctx ends or Close is
// called, the subscription drains: it takes no new message and lets the
// deliveries in flight reach their ack or nack, for up to
// PubSubConfig.CloseTimeout. The inner subscription's context ends
// innerGrace after that (or when Close has closed the inner subscriber), so
// the Pub/Sub can commit or delete the acks given while draining.
func (s *pubsubSubscriber) Subscribe(ctx context.Context, destination string) (<-chan *message.Message, error) {
	ctx, cancel := context.WithCancel(ctx)
	innerCtx, endInner := context.WithCancel(context.WithoutCancel(ctx))
	in, err := s.inner.Subscribe(innerCtx, s.t.cfg.Topic(destination))
	if err != nil {
		cancel()
		endInner()
		return nil, fmt.Errorf("cqrs: subscribe to %q: %w", destination, err)
	}
	s.mu.Lock()
	s.endInners = append(s.endInners, endInner)
	s.mu.Unlock()
	r := redelivery{maxDeliveries: s.t.cfg.MaxDeliveries, delay: s.t.cfg.RedeliveryDelay, backoff: true,
		drain: s.t.cfg.CloseTimeout, handBack: true, awaitSettle: true,
		deadLetter: func(_ string, m *message.Message, reason string, deliveries int) error {
			return s.t.deadLetter(destination, m, reason, deliveries)
		}}
	out := make(chan *message.Message)
	s.relays.start(cancel, func() {
		defer time.AfterFunc(innerGrace, endInner)
		r.relay(ctx, destination, in, out, func() {})
	})
	return out, nil
}

// Close drains the subscriptions (see Subscribe) and closes the inner
// subscriber, ending the inner subscriptions' contexts once it returned or
// innerGrace passed. Close runs once; later calls wait for it.
func (s *pubsubSubscriber) Close() error {
	s.closeOnce.Do(func() {
		s.relays.stop()
		s.relays.wait()
		closed := make(chan error, 1)
		go func() { closed <- s.inner.Close() }()
		select {
		case s.closeErr = <-closed:
			s.endInnerAll()
		case <-time.After(innerGrace):
			s.endInnerAll() // an inner poll may wait on its context
			s.closeErr = <-closed
		}
	})
	return s.closeErr
}

func (s *pubsubSubscriber) endInnerAll() {
	s.mu.Lock()
	ends := s.endInners
	s.endInners = nil
	s.mu.Unlock()
	for _, end := range ends {
		end()
	}
}
