package cqrstest

import (
	"context"
	"errors"
	"sync"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// tracker follows what the harness's service publishes: a message to a
// destination the service listens to is pending until a delivery of it is
// handled or it is dead-lettered (see Harness.WaitIdle), and one to a
// stubbed destination is kept instead of published (see Harness.Stub).
type tracker struct {
	listened map[string]bool

	mu      sync.Mutex
	pending map[string]int                // publishes not yet handled, by message UUID
	stubs   map[string][]*message.Message // what was sent to each stubbed destination
	changed chan struct{}                 // closed and replaced when a delivery ends
}

func newTracker(listen []string) *tracker {
	k := &tracker{listened: map[string]bool{}, pending: map[string]int{},
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

// deadLettered ends a pending publish of dl's message: the transport
// tells of each dead letter as it keeps it (NotifyDeadLetters), so one its
// bounded list dropped before WaitIdle looked is not missed, and a message
// delivered again with its UUID (a redrive) ends when it is dead-lettered
// again.
func (k *tracker) deadLettered(dl cqrs.DeadLetter) {
	k.add([]*message.Message{dl.Message}, -1)
}

// idle returns how many publishes are pending and a channel closed at the
// next change.
func (k *tracker) idle() (int, <-chan struct{}) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.pending), k.changed
}
