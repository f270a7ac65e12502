package cqrs

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// channelSubscriber relays gochannel messages to its consumer, redelivering
// failed ones a bounded number of times and dead-lettering the rest.
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
	var inflight sync.WaitGroup
	for orig := range in {
		inflight.Add(1)
		go func() {
			defer inflight.Done()
			s.deliver(ctx, topic, orig, out)
		}()
	}
	s.t.unlisten(topic)
	inflight.Wait()
	close(out)
}

// deliver hands fresh copies of orig to the consumer until one is acked or
// the message is dead-lettered; only then is orig acked to gochannel.
func (s *channelSubscriber) deliver(ctx context.Context, topic string, orig *message.Message, out chan<- *message.Message) {
	cfg := s.t.cfg
	for attempt := 1; ; attempt++ {
		m := orig.Copy()
		m.SetContext(orig.Context())
		for k := range m.Metadata {
			if sourceflow.IsConsumeMarker(k) {
				delete(m.Metadata, k)
			}
		}
		select {
		case out <- m:
		case <-ctx.Done():
			return
		}
		select {
		case <-m.Acked():
			orig.Ack()
			return
		case <-m.Nacked():
		case <-ctx.Done():
			return
		}
		reason := m.Metadata.Get(sourceflow.MetaFailure)
		if reason == "" && attempt < cfg.MaxDeliveries {
			if !sleep(ctx, cfg.RedeliveryDelay) {
				return
			}
			continue
		}
		if reason == "" {
			reason = exhausted(m, attempt)
		}
		s.t.deadLetter(DeadLetter{Destination: topic, Message: m, Reason: reason, Deliveries: attempt})
		orig.Ack()
		return
	}
}

// exhausted is the dead-letter reason of a message that failed its last
// allowed delivery: the number of deliveries and the last error recorded on
// the message (sourceflow.MetaLastError), when there is one.
func exhausted(m *message.Message, deliveries int) string {
	reason := fmt.Sprintf("failed %d deliveries", deliveries)
	if last := m.Metadata.Get(sourceflow.MetaLastError); last != "" {
		reason += "; last error: " + last
	}
	return reason
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
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
