package middleware_test

import (
	"sync"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow/middleware"
)

// recorder collects the order in which hooks run; safe for concurrent use.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(e string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

// around is a pass-through handler hook that records name-before and name-after.
func (r *recorder) around(name string) message.HandlerMiddleware {
	return middleware.HandlerHook(func(msg *message.Message, next message.HandlerFunc) ([]*message.Message, error) {
		r.add(name + "-before")
		out, err := next(msg)
		r.add(name + "-after")
		return out, err
	})
}

// aroundPublish is a pass-through publish hook that records name-before and
// name-after.
func (r *recorder) aroundPublish(name string) message.PublisherDecorator {
	return middleware.PublishHook(func(topic string, msgs []*message.Message, next middleware.PublishFunc) error {
		r.add(name + "-before")
		err := next(topic, msgs...)
		r.add(name + "-after")
		return err
	})
}

// fakePublisher records what reaches the transport and fails when told to.
type fakePublisher struct {
	mu     sync.Mutex
	rec    *recorder
	topics []string
	msgs   []*message.Message
	err    error
	closed bool
}

func (p *fakePublisher) Publish(topic string, msgs ...*message.Message) error {
	if p.rec != nil {
		p.rec.add("transport")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return p.err
	}
	for _, m := range msgs {
		p.topics = append(p.topics, topic)
		p.msgs = append(p.msgs, m)
	}
	return nil
}

func (p *fakePublisher) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	return nil
}

func (p *fakePublisher) published() []*message.Message {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]*message.Message(nil), p.msgs...)
}
