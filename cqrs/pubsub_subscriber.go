package cqrs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
)

// topicPublisher publishes a destination's messages to its topic, none of
// them when one is over maxBytes (checkSizes).
type topicPublisher struct {
	pub      message.Publisher
	topic    func(string) string
	maxBytes int
}

func (p topicPublisher) Publish(destination string, msgs ...*message.Message) error {
	if err := checkSizes(destination, p.maxBytes, msgs); err != nil {
		return err
	}
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

	closed    chan struct{} // closed when Close begins
	closeOnce sync.Once
	closeErr  error
}

// Subscribe subscribes to destination's topic. When ctx ends or Close is
// called, the subscription drains: it takes no new message and lets the
// deliveries in flight reach their ack or nack, for up to
// PubSubConfig.CloseTimeout. A handler run under way keeps its context for
// that time; a message waiting between runs of its handler (a retrying
// middleware's pause after a failed run: middleware.Retry, idempotency's
// TxRetry) has its context ended at once, so the wait ends, the handler
// does not run again and the message is nacked back to the Pub/Sub, which
// delivers it again later. The inner subscription's context ends
// innerGrace after that (or when Close has closed the inner subscriber), so
// the Pub/Sub can commit or delete the acks given while draining. An inner
// Subscribe that does not answer is given up when ctx ends or Close is
// called, and a Subscribe that Close overtook answers with a closed
// channel: once Close returned, no subscription of the subscriber runs.
func (s *pubsubSubscriber) Subscribe(ctx context.Context, destination string) (<-chan *message.Message, error) {
	ctx, cancel := context.WithCancel(ctx)
	innerCtx, endInner := context.WithCancel(context.WithoutCancel(ctx))
	in, err := s.subscribeInner(ctx, innerCtx, endInner, s.t.cfg.Topic(destination))
	if err != nil {
		cancel()
		endInner()
		return nil, fmt.Errorf("cqrs: subscribe to %q: %w", destination, err)
	}
	s.mu.Lock()
	s.endInners = append(s.endInners, endInner)
	s.mu.Unlock()
	r := redelivery{maxDeliveries: s.t.cfg.MaxDeliveries, delay: s.t.cfg.RedeliveryDelay, backoff: true,
		drain: s.t.cfg.CloseTimeout, handBack: true, awaitSettle: true, counts: &deliveryCounts{},
		deadLetter: func(_ string, m *message.Message, reason string, deliveries int) error {
			return s.t.deadLetter(destination, m, reason, deliveries)
		}, deadLetterQueue: s.t.cfg.DeadLetterTopic(destination), filter: s.t.filterOf(destination),
		outageLog: s.t.outages}
	out := make(chan *message.Message)
	if !s.relays.start(cancel, func() {
		defer time.AfterFunc(innerGrace, endInner)
		r.relay(ctx, destination, in, out, func() {})
	}) {
		cancel()
		endInner()
		close(out)
	}
	return out, nil
}

// subscribeInner runs the inner Subscribe until it answers, ctx ends or
// Close begins. A subscription it stops waiting for ends (endInner) and
// takes nothing: what it delivers all the same is nacked.
func (s *pubsubSubscriber) subscribeInner(ctx, innerCtx context.Context, endInner context.CancelFunc, topic string) (<-chan *message.Message, error) {
	type answer struct {
		in  <-chan *message.Message
		err error
	}
	answered := make(chan answer, 1)
	go func() {
		in, err := s.inner.Subscribe(innerCtx, topic)
		answered <- answer{in, err}
	}()
	var err error
	select {
	case a := <-answered:
		return a.in, a.err
	case <-ctx.Done():
		err = context.Cause(ctx)
	case <-s.closed:
		err = errSubscriberClosed
	}
	endInner()
	go func() {
		if a := <-answered; a.err == nil {
			for m := range a.in {
				m.Nack()
			}
		}
	}()
	return nil, fmt.Errorf("gave up waiting for the subscription: %w", err)
}

var errSubscriberClosed = errors.New("cqrs: subscriber is closed")

// Close drains the subscriptions (see Subscribe) and closes the inner
// subscriber, ending the inner subscriptions' contexts once it returned or
// innerGrace passed. Close runs once; later calls wait for it.
func (s *pubsubSubscriber) Close() error {
	s.closeOnce.Do(func() {
		close(s.closed)
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
