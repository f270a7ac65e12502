package middleware

import (
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// MessageCorrelationID returns the correlation id a message belongs to: its
// sourceflow.MetaCorrelationID, else its sourceflow.MetaMessageID (the
// message starts a new flow), else its Watermill UUID. Only an id that
// sourceflow.ValidCorrelationID accepts is taken: one too long or not
// printable, which anyone who may send to the queue could set, is skipped
// as if absent, and "" is returned when none is valid.
func MessageCorrelationID(msg *message.Message) string {
	for _, id := range []string{msg.Metadata.Get(sourceflow.MetaCorrelationID),
		msg.Metadata.Get(sourceflow.MetaMessageID), msg.UUID} {
		if sourceflow.ValidCorrelationID(id) {
			return id
		}
	}
	return ""
}

// flowCorrelationID is the correlation id of the flow m belongs to: the
// one in its context (Correlation puts it there,
// sourceflow.ContextWithCorrelationID too), else MessageCorrelationID.
func flowCorrelationID(m *message.Message) string {
	if id := sourceflow.CorrelationIDFromContext(m.Context()); id != "" {
		return id
	}
	return MessageCorrelationID(m)
}

// Correlation is the consume side of correlation, a message.HandlerMiddleware.
// It puts the incoming message's correlation id (MessageCorrelationID) into
// the message's context, where sourceflow.CorrelationIDFromContext finds it, and sets
// sourceflow.MetaCorrelationID on every message the handler returns that lacks
// a valid one (sourceflow.ValidCorrelationID: an invalid id copied from the
// incoming message is replaced); with no valid id (see MessageCorrelationID)
// it does neither, and CorrelatePublisher names the flow. Place it in
// ConsumeTracing, before the tracer.
func Correlation(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		id := MessageCorrelationID(msg)
		msg.SetContext(sourceflow.ContextWithCorrelationID(msg.Context(), id))
		out, err := h(msg)
		for _, m := range out {
			if m != nil && id != "" && !sourceflow.ValidCorrelationID(m.Metadata.Get(sourceflow.MetaCorrelationID)) {
				setMeta(m, sourceflow.MetaCorrelationID, id)
			}
		}
		return out, err
	}
}

// CorrelatePublisher is the produce side of correlation, a
// message.PublisherDecorator. Every published message that lacks a valid
// sourceflow.MetaCorrelationID (sourceflow.ValidCorrelationID) gets one: the
// id in msg.Context() (Watermill's Publish has no context argument, so the
// message's own context is read), else the message's own id (MetaMessageID,
// else its UUID), which makes it the first message of a new flow. An
// invalid id is removed when none of those is valid either, so it is never
// published. Place it in ProduceCorrelation.
func CorrelatePublisher(pub message.Publisher) (message.Publisher, error) {
	if pub == nil {
		return nil, ErrNilPublisher
	}
	return correlatingPublisher{Publisher: pub}, nil
}

type correlatingPublisher struct {
	message.Publisher
}

// Publish stamps the correlation id and publishes through the wrapped publisher.
func (p correlatingPublisher) Publish(topic string, msgs ...*message.Message) error {
	for _, m := range msgs {
		if m == nil || sourceflow.ValidCorrelationID(m.Metadata.Get(sourceflow.MetaCorrelationID)) {
			continue
		}
		if id := flowCorrelationID(m); id != "" {
			setMeta(m, sourceflow.MetaCorrelationID, id)
		} else {
			delete(m.Metadata, sourceflow.MetaCorrelationID)
		}
	}
	return p.Publisher.Publish(topic, msgs...)
}

// setMeta sets a metadata key, allocating the map of a message built as a
// literal rather than with message.NewMessage.
func setMeta(m *message.Message, key, value string) {
	if m.Metadata == nil {
		m.Metadata = make(message.Metadata)
	}
	m.Metadata.Set(key, value)
}
