package cqrs

import (
	"context"
	"sync"

	"github.com/ThreeDotsLabs/watermill/message"
)

// channelSubscriber relays gochannel messages to its consumer, redelivering
// failed ones a bounded number of times and dead-lettering the rest into the
// transport's list.
type channelSubscriber struct {
	t *ChannelTransport

	mu      sync.Mutex
	cancels []context.CancelFunc
	wg      sync.WaitGroup
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
	s.mu.Lock()
	s.cancels = append(s.cancels, cancel)
	s.mu.Unlock()
	out := make(chan *message.Message)
	s.wg.Add(1)
	go s.relay(ctx, topic, in, out)
	return out, nil
}

func (s *channelSubscriber) relay(ctx context.Context, topic string, in <-chan *message.Message, out chan<- *message.Message) {
	defer s.wg.Done()
	r := redelivery{maxDeliveries: s.t.cfg.MaxDeliveries, delay: s.t.cfg.RedeliveryDelay,
		deadLetter: func(topic string, m *message.Message, reason string, deliveries int) error {
			s.t.deadLetter(DeadLetter{Destination: topic, Message: m, Reason: reason, Deliveries: deliveries})
			return nil
		}}
	r.relay(ctx, topic, in, out, func() { s.t.unlisten(topic) })
}

// Close ends this subscriber's subscriptions and waits for their relays.
func (s *channelSubscriber) Close() error {
	s.mu.Lock()
	cancels := s.cancels
	s.cancels = nil
	s.mu.Unlock()
	for _, c := range cancels {
		c()
	}
	s.wg.Wait()
	return nil
}
