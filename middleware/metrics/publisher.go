package metrics

import (
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// DecoratePublisherAs returns the produce-side message.PublisherDecorator
// for messages of one kind: commands are counted as NameCommandDispatched,
// NameCommandDispatchDuration and NameCommandDispatchError, events as
// NameEventPublished, NameEventPublishDuration and NameEventPublishError.
// A message whose context carries a kind (sourceflow.KindFromContext — the
// cqrs package sets it on everything it publishes) is counted as that kind,
// so one decorator serves a publisher carrying both; kind is the fallback for
// messages without one. Pass 0 to rely on the context alone: such a
// decorator counts a message without a kind as an event.
//
// Per message of a Publish call the decorated publisher records the call's
// duration (seconds) and one count, on the success counter when the call
// returned nil and on the error counter otherwise, with attributes
// sourceflow.type and messaging.destination.name (the topic). Place it last
// in the produce chain, right before the transport, so it measures the
// transport alone; only a circuit breaker goes after it, so that the
// breaker's rejections are counted.
//
// Decorating with a kind other than KindCommand, KindEvent or 0 fails with
// ErrUnknownKind; decorating nil fails with ErrNilPublisher.
func (m *Metrics) DecoratePublisherAs(kind sourceflow.Kind) message.PublisherDecorator {
	return func(pub message.Publisher) (message.Publisher, error) {
		fallback := m.events
		switch kind {
		case sourceflow.KindCommand:
			fallback = m.commands
		case sourceflow.KindEvent, 0:
		default:
			return nil, fmt.Errorf("%w: %d", ErrUnknownKind, kind)
		}
		if pub == nil {
			return nil, ErrNilPublisher
		}
		return &publisher{Publisher: pub, m: m, fallback: fallback, attrs: &m.attrs}, nil
	}
}

// DecoratePublisher is the produce side of the metrics, a
// message.PublisherDecorator counting each message as the kind its context
// carries (DecoratePublisherAs(0)): the decorator a Stack's ProduceMetrics
// phase takes.
func (m *Metrics) DecoratePublisher(pub message.Publisher) (message.Publisher, error) {
	return m.DecoratePublisherAs(0)(pub)
}

type publisher struct {
	message.Publisher
	m        *Metrics
	fallback produceInstruments
	attrs    *attrCache
}

// instruments returns the instruments of msg's kind.
func (p *publisher) instruments(msg *message.Message) produceInstruments {
	switch k, _ := sourceflow.KindFromContext(msg.Context()); k {
	case sourceflow.KindCommand:
		return p.m.commands
	case sourceflow.KindEvent:
		return p.m.events
	}
	return p.fallback
}

// Publish times the inner Publish call and records it once per message.
func (p *publisher) Publish(topic string, msgs ...*message.Message) error {
	start := time.Now()
	err := p.Publisher.Publish(topic, msgs...)
	elapsed := time.Since(start).Seconds()

	for _, msg := range msgs {
		inst := p.instruments(msg)
		counter := inst.sent
		if err != nil {
			counter = inst.failed
		}
		ctx := msg.Context()
		opt := p.attrs.get(messageType(msg), topic).base
		counter.Add(ctx, 1, opt.add...)
		inst.duration.Record(ctx, elapsed, opt.record...)
	}
	return err
}
