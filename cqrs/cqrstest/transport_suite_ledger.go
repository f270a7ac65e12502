package cqrstest

import (
	"slices"
	"sync"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// ledger records, per service instance, the envelope of every message the
// instance's router was handed, whatever the outcome. It is safe for
// concurrent use.
type ledger struct {
	mu  sync.Mutex
	got map[string][]cqrs.Envelope
}

// middleware records the messages handed to instance. A message without an
// envelope is recorded under its Watermill UUID.
func (l *ledger) middleware(instance string) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			env, err := cqrs.EnvelopeOf(msg)
			if err != nil {
				env = cqrs.Envelope{MessageID: msg.UUID}
			}
			l.add(instance, env)
			return h(msg)
		}
	}
}

func (l *ledger) add(instance string, env cqrs.Envelope) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.got == nil {
		l.got = map[string][]cqrs.Envelope{}
	}
	l.got[instance] = append(l.got[instance], env)
}

// of returns what instance was handed, in order.
func (l *ledger) of(instance string) []cqrs.Envelope {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.got[instance])
}

// ids returns the message ids instance was handed, each once.
func (l *ledger) ids(instance string) map[string]bool {
	out := map[string]bool{}
	for _, env := range l.of(instance) {
		out[env.MessageID] = true
	}
	return out
}

// counter counts, per key, from concurrent handlers.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

// inc adds one to key's count and returns the new count.
func (c *counter) inc(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[key]++
	return c.n[key]
}

// get returns key's count.
func (c *counter) get(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[key]
}
