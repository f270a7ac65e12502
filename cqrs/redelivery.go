package cqrs

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// redelivery is what the transports of this package add to a Pub/Sub's
// subscription: a failed message is handed to the consumer again, in
// process, a bounded number of times, and then given to deadLetter with the
// reason; only then is the Pub/Sub's message acknowledged. While that goes
// on the Pub/Sub holds the message, so a crash redelivers it.
type redelivery struct {
	maxDeliveries int
	delay         time.Duration
	// deadLetter keeps m (a copy of the consumed message) with the reason it
	// failed. An error leaves the Pub/Sub's message unacknowledged (nacked),
	// so the Pub/Sub delivers it again later.
	deadLetter func(topic string, m *message.Message, reason string, deliveries int) error
}

// relays are the running relays of one subscriber, each with the cancel
// function of its subscription.
type relays struct {
	mu      sync.Mutex
	cancels []context.CancelFunc
	wg      sync.WaitGroup
}

// start runs relay in its own goroutine; stop calls cancel.
func (r *relays) start(cancel context.CancelFunc, relay func()) {
	r.mu.Lock()
	r.cancels = append(r.cancels, cancel)
	r.mu.Unlock()
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		relay()
	}()
}

// stop cancels every subscription started so far.
func (r *relays) stop() {
	r.mu.Lock()
	cancels := r.cancels
	r.cancels = nil
	r.mu.Unlock()
	for _, c := range cancels {
		c()
	}
}

// wait waits until every relay ended.
func (r *relays) wait() { r.wg.Wait() }

// relay hands the messages of in to out through deliver, one goroutine per
// message. Once in is closed it calls ended, then closes out when every
// delivery ended.
func (r redelivery) relay(ctx context.Context, topic string, in <-chan *message.Message, out chan<- *message.Message, ended func()) {
	var inflight sync.WaitGroup
	for orig := range in {
		inflight.Add(1)
		go func() {
			defer inflight.Done()
			r.deliver(ctx, topic, orig, out)
		}()
	}
	ended()
	inflight.Wait()
	close(out)
}

// deliver hands fresh copies of orig to the consumer until one is acked or
// the message is dead-lettered; only then is orig acked. When ctx ends
// first, or orig's own context (a Pub/Sub's ack deadline: the Pub/Sub then
// takes the message back and delivers it again), orig is left to the
// Pub/Sub, neither acked nor dead-lettered here.
func (r redelivery) deliver(ctx context.Context, topic string, orig *message.Message, out chan<- *message.Message) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(orig.Context(), cancel)()
	for attempt := 1; ; attempt++ {
		m := freshCopy(orig)
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
			select {
			case <-m.Acked(): // acked as the subscription ended
				orig.Ack()
			default:
			}
			return
		}
		reason := m.Metadata.Get(sourceflow.MetaFailure)
		if reason == "" && attempt < r.maxDeliveries {
			if !sleep(ctx, r.delay) {
				return
			}
			continue
		}
		if reason == "" {
			reason = exhausted(m, attempt)
		}
		if err := r.deadLetter(topic, deadLetterOf(orig, m, reason), reason, attempt); err != nil {
			orig.Nack()
			return
		}
		orig.Ack()
		return
	}
}

// deadLetterOf is the message to dead-letter: orig as the Pub/Sub delivered
// it (not the consumer's copy, which a decrypting step may have changed),
// with the reason and the last error the consumer recorded.
func deadLetterOf(orig, consumed *message.Message, reason string) *message.Message {
	dead := freshCopy(orig)
	dead.Metadata.Set(sourceflow.MetaFailure, reason)
	if last := consumed.Metadata.Get(sourceflow.MetaLastError); last != "" {
		dead.Metadata.Set(sourceflow.MetaLastError, last)
	}
	return dead
}

// freshCopy is orig without the consume markers an earlier attempt set.
func freshCopy(orig *message.Message) *message.Message {
	m := orig.Copy()
	m.SetContext(orig.Context())
	for k := range m.Metadata {
		if sourceflow.IsConsumeMarker(k) {
			delete(m.Metadata, k)
		}
	}
	return m
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
