package metrics

import (
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// PublisherDecorator returns the produce-side message.PublisherDecorator for
// messages of one kind: commands are counted as NameCommandDispatched,
// NameCommandDispatchDuration and NameCommandDispatchError, events as
// NameEventPublished, NameEventPublishDuration and NameEventPublishError.
// The kind is fixed per decorator because a service's command and event
// publishers are decorated separately; decorate each with its own kind.
//
// Per message of a Publish call the decorated publisher records the call's
// duration (seconds) and one count, on the success counter when the call
// returned nil and on the error counter otherwise, with attributes
// sourceflow.type and messaging.destination.name (the topic). Place it last
// in the produce chain, right before the transport, so it measures the
// transport alone.
//
// Decorating with a kind other than KindCommand or KindEvent fails with
// ErrUnknownKind; decorating nil fails with ErrNilPublisher.
func (m *Metrics) PublisherDecorator(kind sourceflow.Kind) message.PublisherDecorator {
	return func(pub message.Publisher) (message.Publisher, error) {
		var inst produceInstruments
		switch kind {
		case sourceflow.KindCommand:
			inst = m.commands
		case sourceflow.KindEvent:
			inst = m.events
		default:
			return nil, fmt.Errorf("%w: %d", ErrUnknownKind, kind)
		}
		if pub == nil {
			return nil, ErrNilPublisher
		}
		return &publisher{Publisher: pub, inst: inst, attrs: &m.attrs}, nil
	}
}

type publisher struct {
	message.Publisher
	inst  produceInstruments
	attrs *attrCache
}

// Publish times the inner Publish call and records it once per message.
func (p *publisher) Publish(topic string, msgs ...*message.Message) error {
	start := time.Now()
	err := p.Publisher.Publish(topic, msgs...)
	elapsed := time.Since(start).Seconds()

	counter := p.inst.sent
	if err != nil {
		counter = p.inst.failed
	}
	for _, msg := range msgs {
		ctx := msg.Context()
		opt := p.attrs.get(messageType(msg), topic).base
		counter.Add(ctx, 1, opt)
		p.inst.duration.Record(ctx, elapsed, opt)
	}
	return err
}
