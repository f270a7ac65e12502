package cqrs

import (
	"cmp"
	"context"
	"fmt"
	"strconv"

	"github.com/sourceflow-go/sourceflow"
)

// EventQueue raises events: it publishes each to its destination, where this
// service's aggregates and views, and every subscribing service, receive it
// through the transport.
type EventQueue struct {
	svc *Service
}

// Raise publishes ev, a registered event (value or pointer), about the
// entity. Raised from a handler, the event names the handled message as its
// cause, shares its correlation id (both dropped when
// sourceflow.ValidCorrelationID refuses them, as CommandBus.Send does) and
// carries its sequence number, and its
// message id derives from the handled message's and from the event itself
// (see CommandBus.Send); raised outside a handler with an idempotency key
// (ContextWithIdempotencyKey), it derives from the key and the event.
//
// Raise publishes at once. A saga handler should return its events instead:
// the saga stores them with the new state and raises them after the save,
// and never when the handler fails or its save is lost. An event a saga
// handler raises itself goes out before the state is saved, even when the
// handler then fails, and on the synchronous ChannelTransport its
// consumers run while the saga holds the entity's lock (a command they send
// the saga for that entity is handled after the handler returned: see
// ChannelConfig.Async).
func (q *EventQueue) Raise(ctx context.Context, entityID string, ev any) (Envelope, error) {
	info, payload, err := q.encodeOne(ev)
	if err != nil {
		return Envelope{}, err
	}
	id, _ := q.svc.newMessageID(ctx, info.name, entityID, payload)
	env := Envelope{EntityID: entityID, MessageID: id, PayloadVersion: info.shape.version}
	if in, ok := EnvelopeFromContext(ctx); ok && in.EntityID == entityID {
		env.Sequence = in.Sequence
	}
	return q.send(ctx, info, env, payload)
}

// encode encodes the events a handler returned, checking each is a
// registered event.
func (q *EventQueue) encode(events []any) ([]pendingEvent, error) {
	out := make([]pendingEvent, 0, len(events))
	for _, ev := range events {
		info, payload, err := q.encodeOne(ev)
		if err != nil {
			return nil, err
		}
		out = append(out, pendingEvent{Type: info.name, Payload: payload, Version: info.shape.version})
	}
	return out, nil
}

// encodeOne encodes ev, a registered event (see encodeMessage).
func (q *EventQueue) encodeOne(ev any) (*typeInfo, []byte, error) {
	return q.svc.encodeMessage(ev, sourceflow.KindEvent, nil)
}

// raisePending publishes the events a handled command raised. Each message
// id derives from the command's, the event's position, type and payload, so
// a redelivered command re-raises the same ids and consumers can drop the
// duplicates, while a run that raised a different event (its first run's
// save rolled back after the publish) gets a new id. The first failure is
// returned; it does not name the command, which its sender chose: the
// handler's error that wraps it does, bounded (wrapHandlerErr). Each goes
// out under the name it was remembered with, an alias (Aliases) of its
// type's name when an older version remembered it, so that raised again it
// is the same message, id and type, which consumers' idempotency drops, and
// with the payload version it was remembered with, so that its consumers
// upcast it as it is (Upcast).
func (q *EventQueue) raisePending(ctx context.Context, cause Envelope, pending []pendingEvent) error {
	for i, p := range pending {
		info, ok := q.svc.types.ofName(p.Type)
		if !ok {
			return fmt.Errorf("%w: pending event %q", ErrNotRegistered, p.Type)
		}
		id := derivedID(p.Payload, cause.MessageID, "raised", strconv.Itoa(i), p.Type, cause.EntityID)
		env := Envelope{Type: p.Type, EntityID: cause.EntityID, Sequence: cause.Sequence, MessageID: id, PayloadVersion: p.Version}
		if _, err := q.send(ctx, info, env, p.Payload); err != nil {
			return fmt.Errorf("cqrs: raise %s: %w", p.Type, err)
		}
	}
	return nil
}

// send publishes an event of info's type under env.Type, or, when empty,
// the type's name.
func (q *EventQueue) send(ctx context.Context, info *typeInfo, env Envelope, payload []byte) (Envelope, error) {
	s := q.svc
	env.Type = cmp.Or(env.Type, info.name)
	env.OccurredAt = s.cfg.Clock.Now()
	env.CorrelationID, env.CausationID, env.Replay = lineage(ctx, env.MessageID)
	env.Hops = hopsOf(ctx)
	if env.Replay {
		return env, s.deliverReplay(ctx, info.destination, env, payload)
	}
	if err := s.checkHops(env); err != nil {
		return env, err
	}
	return env, s.publish(ctx, info.destination, env, payload)
}
