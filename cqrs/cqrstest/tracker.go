package cqrstest

import (
	"context"
	"errors"
	"sync"

	"github.com/ThreeDotsLabs/watermill/message"
)

// tracker follows what the harness's service publishes: a message to a
// destination the service listens to is pending until a delivery of it is
// handled or it is dead-lettered (see Harness.WaitIdle), and one to a
// stubbed destination is kept instead of published (see Harness.Stub).
type tracker struct {
	listened map[string]bool

	mu      sync.Mutex
	pending map[string]int                // publishes not yet handled, by message UUID
	dead    map[*message.Message]bool     // the dead letters of the transport's last list
	stubs   map[string][]*message.Message // what was sent to each stubbed destination
	changed chan struct{}                 // closed and replaced when a delivery ends
}

func newTracker(listen []string) *tracker {
	k := &tracker{listened: map[string]bool{}, pending: map[string]int{}, dead: map[*message.Message]bool{},
		stubs: map[string][]*message.Message{}, changed: make(chan struct{})}
	for _, d := range listen {
		k.listened[d] = true
	}
	return k
}

// decorate is the outermost publisher decorator of the harness's service.
func (k *tracker) decorate(pub message.Publisher) (message.Publisher, error) {
	return trackingPublisher{Publisher: pub, k: k}, nil
}

type trackingPublisher struct {
	message.Publisher
	k *tracker
}

// Publish keeps msgs when topic is stubbed; otherwise it counts them as
// pending before publishing when the service listens to topic. A publish
// that fails un-counts them, unless it failed because its sender stopped
// waiting (a context error): the message was handed over then and is
// still handled or dead-lettered.
func (p trackingPublisher) Publish(topic string, msgs ...*message.Message) error {
	if p.k.kept(topic, msgs) {
		return nil
	}
	counted := p.k.listened[topic]
	if counted {
		p.k.add(msgs, 1)
	}
	err := p.Publisher.Publish(topic, msgs...)
	if err != nil && counted && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		p.k.add(msgs, -1)
	}
	return err
}

// middleware is the outermost handler middleware of the harness's service:
// a delivery handled without error ends its message's pending publish.
func (k *tracker) middleware(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		out, err := h(msg)
		if err == nil {
			k.add([]*message.Message{msg}, -1)
		} else {
			k.add(nil, 0) // it may be dead-lettered now
		}
		return out, err
	}
}

// add adds delta to the pending count of each of msgs and tells waiters.
func (k *tracker) add(msgs []*message.Message, delta int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, m := range msgs {
		if n := k.pending[m.UUID] + delta; n > 0 {
			k.pending[m.UUID] = n
		} else {
			delete(k.pending, m.UUID)
		}
	}
	close(k.changed)
	k.changed = make(chan struct{})
}

// settle ends a pending publish for each dead letter in dead, the
// transport's list of dead-lettered messages, not in its last list, and
// returns how many remain and a channel closed at the next change. A dead
// letter is known by identity, not by UUID: a message delivered again with
// its UUID (a redrive) stays pending though the list still holds its
// earlier dead letter, and ends when it is dead-lettered again even after
// the transport dropped the earlier one past its bound.
func (k *tracker) settle(dead []*message.Message) (int, <-chan struct{}) {
	k.mu.Lock()
	defer k.mu.Unlock()
	seen := make(map[*message.Message]bool, len(dead))
	for _, m := range dead {
		seen[m] = true
		if k.dead[m] {
			continue
		}
		if left := k.pending[m.UUID] - 1; left > 0 {
			k.pending[m.UUID] = left
		} else {
			delete(k.pending, m.UUID)
		}
	}
	k.dead = seen
	return len(k.pending), k.changed
}
