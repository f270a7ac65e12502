package cqrstest

import (
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// PanickingTransport is a cqrs.Transport whose publishers panic with Value
// on every Publish: an inner transport with a bug, for tests of what
// wraps a transport (an outbox's relay, its observers) when a publish
// panics instead of failing. Everything but Publisher is the embedded
// ChannelTransport's.
type PanickingTransport struct {
	*cqrs.ChannelTransport
	// Value is what each Publish panics with.
	Value any
}

// Publisher returns a publisher that panics with t.Value on Publish.
func (t PanickingTransport) Publisher(string) (message.Publisher, error) {
	return panickingPublisher{value: t.Value}, nil
}

type panickingPublisher struct{ value any }

func (p panickingPublisher) Publish(string, ...*message.Message) error { panic(p.value) }
func (panickingPublisher) Close() error                                { return nil }
