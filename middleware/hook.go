package middleware

import "github.com/ThreeDotsLabs/watermill/message"

// HandlerHookFunc is a consume-side hook written as one function: it receives
// the message and the rest of the chain. It may change the message before
// calling next, not call next (short-circuit: the handler does not run), call
// next more than once, or inspect, replace or swallow next's error.
type HandlerHookFunc func(msg *message.Message, next message.HandlerFunc) ([]*message.Message, error)

// HandlerHook adapts fn to a message.HandlerMiddleware. HandlerHook(nil) is
// nil, which Stack.Use rejects with ErrNilMiddleware.
func HandlerHook(fn HandlerHookFunc) message.HandlerMiddleware {
	if fn == nil {
		return nil
	}
	return func(next message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			return fn(msg, next)
		}
	}
}

// PublishFunc publishes messages to a topic: the shape of
// message.Publisher.Publish, and of the rest of a produce-side chain.
type PublishFunc func(topic string, msgs ...*message.Message) error

// PublishHookFunc is a produce-side hook written as one function: it receives
// the topic, the messages and the rest of the chain. It may change the topic
// or the messages before calling next, not call next (nothing is published),
// call next more than once (each call publishes), or inspect, replace or
// swallow next's error.
type PublishHookFunc func(topic string, msgs []*message.Message, next PublishFunc) error

// PublishHook adapts fn to a message.PublisherDecorator; the decorated
// publisher's Close closes the wrapped one. PublishHook(nil) is nil, which
// Stack.Decorate rejects with ErrNilMiddleware.
func PublishHook(fn PublishHookFunc) message.PublisherDecorator {
	if fn == nil {
		return nil
	}
	return func(pub message.Publisher) (message.Publisher, error) {
		if pub == nil {
			return nil, ErrNilPublisher
		}
		return hookPublisher{Publisher: pub, fn: fn, next: pub.Publish}, nil
	}
}

type hookPublisher struct {
	message.Publisher
	fn   PublishHookFunc
	next PublishFunc // pub.Publish, bound once rather than per message
}

// Publish runs the hook with the wrapped publisher as next.
func (p hookPublisher) Publish(topic string, msgs ...*message.Message) error {
	return p.fn(topic, msgs, p.next)
}
