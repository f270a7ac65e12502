package cqrs

import (
	"context"
	"fmt"

	"github.com/sourceflow-go/sourceflow"
)

// View projects events into view models of type V kept in the ViewStore,
// one model per entity id.
//
// An event carries in its Envelope the Sequence of the command that raised
// it (0 when it was raised outside a handler, or about another entity than
// the handled command's). The Sequence orders an entity's commands as they
// were sent, each reserving its number at Send before it is published, not
// as the saga handled them: commands sent concurrently for one entity can
// be published, delivered and handled in another order than their
// Sequence, so an event with a lower Sequence may carry the saga's latest
// change, and a projection must not skip an event for its Sequence.
//
// On an ordered destination (a ".fifo" destination of a transport that keeps
// per-entity order, such as a ChannelTransport, synchronous or asynchronous)
// the events of an entity reach a view in the order the saga raised them,
// which is the order it handled their commands in when those come over an
// ordered destination too, one at a time per entity: applying each event as
// it arrives leaves the model at the saga's latest state. Elsewhere (a
// standard SNS topic, any other destination of an asynchronous
// ChannelTransport, most Pub/Subs) two events raised close together can
// arrive in either order. A projection whose model must follow the entity's
// latest state then either reads that state with Saga.Load as it projects
// (through a Saga of a service using the saga's EntityStore), so the last
// event to arrive finds the saga's latest state, or orders the events
// itself: the saga's state S keeps a counter every handler of the saga
// increments, each event carries the counter's new value in its payload, and
// the projection keeps in its model the highest value it applied and skips
// an event with a lower one. Both rely on the saga storing its state before
// its events leave, as it does unless its EntityStore joins a handling
// transaction that commits after the publish; an OutboxTransport (package
// outbox) holds the events back until the commit.
//
// Unlike a saga, which remembers the commands it applied, a view keeps no
// record of the events it projected: an event delivered again (a handling
// that failed and is retried, a message whose visibility timeout ran out)
// is projected again. The idempotency middleware (package idempotency)
// drops a message its service already handled, but not one whose handling
// failed: when another handler of the event failed after the view's
// succeeded, the redelivery projects the event again on any instance but
// the one that failed (see the package doc), unless the ViewStore joins the
// handling's transaction, whose rollback undid the first projection. A
// projection whose model must not count an event twice (sums, counters,
// appended lists) records in the model the message ids of the events it
// applied and skips those it finds there.
type View[V any] struct {
	svc   *Service
	name  string
	state stateOptions
}

// NewView returns a view named name; the name keys its models in the
// ViewStore and prefixes its handler names. Views of one service with
// distinct model types need distinct names: Project refuses a view named
// like a view of another model type that registered projections in the
// service, with ErrDuplicateHandler, since the two would overwrite each
// other's models. Views of one name and model type are one view. Options:
// StateVersion.
func NewView[V any](s *Service, name string, opts ...StateOption) *View[V] {
	return &View[V]{svc: s, name: name, state: newStateOptions(opts)}
}

// Projection applies event E to the view model of the event's entity,
// mutating it in place. The model is the zero V for an entity not yet seen.
// An error leaves the stored model unchanged.
type Projection[E, V any] func(ctx context.Context, model *V, ev E, env Envelope) error

// Project registers p as the view's projection of event E. The event's
// destination must be listened to. A view of the same name with another
// model type is ErrDuplicateHandler; a negative StateVersion, or one other
// than a view of the same name declared, is ErrInvalidRegistration.
func Project[E, V any](v *View[V], p Projection[E, V]) error {
	return addOwnedHandler[V](v.svc, ownerName{role: "view", name: v.name}, v.state, sourceflow.KindEvent, v.svc.cfg.ViewStore,
		func(ctx context.Context, ev E, env Envelope) error {
			return v.update(ctx, env.EntityID, func(ctx context.Context, model *V) error { return p(ctx, model, ev, env) })
		})
}

// Get returns the last stored view model of an entity and whether it
// exists. Called by a handler during a replay, it returns the replayed
// entity's model as the replay rebuilt it so far, and another entity's as
// stored.
func (v *View[V]) Get(ctx context.Context, id string) (V, bool, error) {
	var model V
	doc, found, err := loadDocument(ctx, v.svc.viewReads(ctx, id), v.name, id)
	if err != nil || !found {
		return model, found, err
	}
	if err := v.decode(doc.Data, &model, id); err != nil {
		return model, true, err
	}
	return model, true, nil
}

// decode decodes a stored model, stamped or not. A model that no longer
// decodes is a permanent failure: no redelivery can repair it.
func (v *View[V]) decode(raw []byte, model *V, id string) error {
	_, raw, err := stateVersionOf(raw)
	if err == nil {
		err = v.svc.cfg.Codec.Unmarshal(raw, model)
	}
	if err != nil {
		return sourceflow.Permanent(fmt.Errorf("cqrs: view %s %s: stored model does not decode: %w", v.name, quotedID(id), decodeError{err}))
	}
	return nil
}

// update applies fn to the entity's model under the entity's lock and
// stores it on the condition that no other instance stored it in between;
// on a conflict it reloads and applies fn again (see updateDocument). A
// model stamped with a higher StateVersion than the view's is left as
// stored (ErrNewerState), whether or not it decodes into V.
func (v *View[V]) update(ctx context.Context, id string, fn func(context.Context, *V) error) error {
	key := viewLockKey(v.name, id)
	ctx, lock := v.svc.locks.lockIn(ctx, key)
	defer v.svc.locks.unlock(key, lock)
	return updateDocument(ctx, v.svc.viewStore(ctx), v.name, id, func(_ context.Context, raw []byte, found bool) ([]byte, bool, error) {
		var model V
		if found {
			stored, _, _ := stateVersionOf(raw) // a malformed header fails decode
			err := refuseNewer("view "+v.name+" "+quotedID(id), stored, v.state.version)
			if err == nil {
				err = v.decode(raw, &model, id)
			}
			if err != nil {
				return nil, false, err
			}
		}
		if err := fn(ctx, &model); err != nil {
			return nil, false, err
		}
		next, err := v.svc.cfg.Codec.Marshal(&model)
		if err != nil {
			return nil, false, fmt.Errorf("cqrs: encode view %s %s: %w", v.name, quotedID(id), err)
		}
		return stamp(v.state.version, next), true, nil
	})
}
