package cqrs

import (
	"context"
	"fmt"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
)

// TypeFilterStore keeps, for each consumer group of a topic, its event type
// filter: the event types some version of the group's service handles
// there. It is the SNS filter policy of the transports that have none,
// shared by every process of the service, so a store that keeps it in
// memory is right only when every instance of the service runs in one
// process. PubSubTransport widens it at Bind with the types the service
// handles on each event destination it listens to; nothing in this module
// narrows it (an operator may). The sqlbus package keeps one in the
// database.
type TypeFilterStore interface {
	// Widen adds types to the filter of group on topic; the types it
	// holds already are kept.
	Widen(ctx context.Context, topic, group string, types []string) error
	// Types returns the filter of group on topic: none if it was never
	// widened.
	Types(ctx context.Context, topic, group string) ([]string, error)
}

// groupFilter reports whether some version of the consumer group (the
// service) handles event type typ on the destination of the delivery whose
// context carries it (see withGroupFilter). A transport without filter
// policies hands one to the dispatcher, which drops an event of a type
// outside it instead of retrying it; an error leaves the event to be
// retried.
type groupFilter func(ctx context.Context, group, typ string) (bool, error)

type groupFilterKey struct{}

// withGroupFilter returns m with f in its context.
func withGroupFilter(m *message.Message, f groupFilter) {
	if f != nil {
		m.SetContext(context.WithValue(m.Context(), groupFilterKey{}, f))
	}
}

// groupFilterOf returns the filter ctx carries, or nil.
func groupFilterOf(ctx context.Context) groupFilter {
	f, _ := ctx.Value(groupFilterKey{}).(groupFilter)
	return f
}

// unhandled is the outcome of msg, whose type env.Type no handler of the
// destination takes. An event whose type is outside its consumer group's
// filter (no version of the service handles it) is acknowledged and
// dropped, as an SNS filter policy would have kept it out of the queue,
// and marked with sourceflow.MetaFiltered for the outer phases (metrics);
// anything else, an event whose filter could not be read included, fails
// as unknownType says.
func (d *dispatcher) unhandled(msg *message.Message, env Envelope) error {
	f := groupFilterOf(msg.Context())
	if f == nil || d.kind != sourceflow.KindEvent || replayScopeOf(msg.Context()) != nil {
		return d.unknownType(msg, env, nil)
	}
	handled, err := f(msg.Context(), d.service, env.Type)
	if err == nil && !handled {
		msg.Metadata.Set(sourceflow.MetaFiltered, d.service)
		return nil
	}
	if err != nil {
		err = fmt.Errorf("the event type filter of consumer group %q could not be read, so the event is kept: %w", d.service, err)
	}
	return d.unknownType(msg, env, err)
}

// filteredOut logs at debug level, and counts, an event dropped from
// destination for group because no version of it handles its type.
func filteredOut(logger watermill.LoggerAdapter, counts interface{ Add(string) }, destination, group, typ string) {
	counts.Add(destination)
	logger.Debug("Event dropped: no version of its consumer group handles its type", watermill.LogFields{
		"destination": destination, "consumer_group": group, "message_type": sourceflow.IDText(typ)})
}
