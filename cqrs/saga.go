package cqrs

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/sourceflow-go/sourceflow"
)

// Saga handles commands for entities whose state is S. For each command it
// loads the entity's state from the EntityStore (or starts from the zero S),
// runs the typed handler, stores the new state together with the events the
// handler returned, and then raises those events. Commands for one entity
// are handled one at a time within a service instance.
//
// A saga remembers the last 32 commands it applied to an entity, with the
// events each raised: a command delivered again while it is among them
// re-raises those events (same message ids) without running its handler. A
// command delivered again after 32 newer commands of its entity were
// applied runs its handler a second time; the idempotency middleware
// (package idempotency) drops such a late duplicate when its record of the
// message is still kept.
type Saga[S any] struct {
	svc   *Service
	name  string
	state stateOptions
}

// NewSaga returns a saga named name; the name keys its entities in the
// EntityStore and prefixes its handler names. Sagas of one service with
// distinct state types need distinct names: Handle refuses a saga named like
// a saga of another state type that registered handlers in the service,
// with ErrDuplicateHandler, since the two would overwrite each other's
// entities. Sagas of one name and state type are one saga. Options:
// StateVersion.
func NewSaga[S any](s *Service, name string, opts ...StateOption) *Saga[S] {
	return &Saga[S]{svc: s, name: name, state: newStateOptions(opts)}
}

// CommandHandler handles command C for an entity with state S. It mutates
// state in place and returns the events to raise (registered event values
// or pointers); an error leaves the stored state unchanged.
type CommandHandler[C, S any] func(ctx context.Context, state *S, cmd C, env Envelope) ([]any, error)

// Handle registers h as the saga's handler of command C. A command type has
// at most one handler per service, and its destination must be listened to.
// A saga of the same name with another state type is ErrDuplicateHandler;
// a negative StateVersion, or one other than a saga of the same name
// declared, is ErrInvalidRegistration.
func Handle[C, S any](g *Saga[S], h CommandHandler[C, S]) error {
	return addOwnedHandler[S](g.svc, ownerName{role: "saga", name: g.name}, g.state, sourceflow.KindCommand, g.svc.cfg.EntityStore,
		func(ctx context.Context, cmd C, env Envelope) error {
			return g.svc.withinOutboxTx(ctx, g.svc.entityStore(ctx), func(ctx context.Context) error {
				pending, err := g.apply(ctx, env, func(ctx context.Context, state *S) ([]any, error) { return h(ctx, state, cmd, env) })
				if err != nil {
					return err
				}
				return g.svc.events.raisePending(ctx, env, pending)
			})
		})
}

// Load returns the stored state of an entity and whether it exists. Called
// by a handler during a replay, it returns the replayed entity's state as
// the replay rebuilt it so far when the saga handles one of the entity's
// stored commands, and any other state as stored (see Service.Replay). A
// stored state or document that no longer decodes is a permanent error
// (sourceflow.IsPermanent), so a handler returning it has its message
// dead-lettered at once rather than redelivered.
func (g *Saga[S]) Load(ctx context.Context, entityID string) (S, bool, error) {
	var state S
	doc, found, err := g.load(ctx, entityID)
	if err != nil || !found {
		return state, found, err
	}
	if err := g.decodeState(doc.State, &state, entityID); err != nil {
		return state, true, err
	}
	return state, true, nil
}

// sagaDoc is what a saga stores per entity: the state and the commands it
// applied most recently, each with the events it raised. A redelivered
// command that was already applied re-raises its events instead of running
// again.
type sagaDoc struct {
	State  []byte    `json:"state"`
	Recent []applied `json:"recent,omitempty"`
}

// applied is one applied command and the events it raised.
type applied struct {
	ID     string         `json:"id"`
	Events []pendingEvent `json:"events,omitempty"`
}

// recentApplied bounds how many applied commands a saga remembers per
// entity: a redelivery arriving after this many newer commands of the same
// entity runs its handler again.
const recentApplied = 32

func (d *sagaDoc) lookup(id string) ([]pendingEvent, bool) {
	for _, a := range d.Recent {
		if a.ID == id {
			return a.Events, true
		}
	}
	return nil, false
}

func (d *sagaDoc) remember(id string, events []pendingEvent) {
	d.Recent = append(d.Recent, applied{ID: id, Events: events})
	if len(d.Recent) > recentApplied {
		d.Recent = d.Recent[len(d.Recent)-recentApplied:]
	}
}

type pendingEvent struct {
	Type    string `json:"type"`
	Payload []byte `json:"payload"`
	Version int    `json:"version,omitempty"` // its payload version (PayloadVersion)
}

func (g *Saga[S]) load(ctx context.Context, entityID string) (sagaDoc, bool, error) {
	var doc sagaDoc
	raw, found, err := loadDocument(ctx, g.svc.entityReads(ctx, g.name, entityID), g.name, entityID)
	if err != nil || !found {
		return doc, found, err
	}
	if _, err := g.decodeDoc(raw.Data, &doc, entityID); err != nil {
		return doc, true, err // it exists, and fails whoever reads it
	}
	return doc, true, nil
}

// decodeDoc decodes a stored saga document and returns the StateVersion
// it is stamped with. A document that no longer decodes is a permanent
// failure: no redelivery can repair it.
func (g *Saga[S]) decodeDoc(raw []byte, doc *sagaDoc, entityID string) (int, error) {
	version, raw, err := stateVersionOf(raw)
	if err == nil {
		err = json.Unmarshal(raw, doc)
	}
	if err != nil {
		return 0, sourceflow.Permanent(fmt.Errorf("cqrs: stored %s %s is corrupt: %w", g.name, quotedID(entityID), decodeError{err}))
	}
	return version, nil
}

// decodeState decodes a stored state into S. A state that no longer decodes
// (S changed incompatibly since it was stored) is a permanent failure, for
// the saga's own handler and for any handler reading it through Load alike:
// no redelivery can repair it.
func (g *Saga[S]) decodeState(raw []byte, state *S, entityID string) error {
	if err := g.svc.cfg.Codec.Unmarshal(raw, state); err != nil {
		return sourceflow.Permanent(fmt.Errorf("cqrs: saga %s %s: stored state does not decode: %w", g.name, quotedID(entityID), decodeError{err}))
	}
	return nil
}

// apply runs fn on the entity's state under the entity's lock and stores the
// result with the encoded events fn returned, on the condition that no other
// instance stored the entity in between; on a conflict it reloads and runs fn
// again (see updateDocument). A command already applied returns the events it
// raised without running fn; a state stamped with a higher StateVersion
// than the saga's is left as stored (ErrNewerState).
func (g *Saga[S]) apply(ctx context.Context, env Envelope, fn func(context.Context, *S) ([]any, error)) ([]pendingEvent, error) {
	key := sagaLockKey(g.name, env.EntityID)
	ctx, lock := g.svc.locks.lockIn(ctx, key)
	defer g.svc.locks.unlock(key, lock)
	var pending []pendingEvent
	err := updateDocument(ctx, g.svc.entityStore(ctx), g.name, env.EntityID, func(_ context.Context, raw []byte, found bool) ([]byte, bool, error) {
		var doc sagaDoc
		stored := 0
		if found {
			var err error
			if stored, err = g.decodeDoc(raw, &doc, env.EntityID); err != nil {
				return nil, false, err
			}
		}
		if events, done := doc.lookup(env.MessageID); done {
			pending = events
			return nil, false, nil
		}
		if err := refuseNewer("saga "+g.name+" "+quotedID(env.EntityID), stored, g.state.version); err != nil {
			return nil, false, err
		}
		var err error
		pending, err = g.run(ctx, &doc, found, env, fn)
		if err != nil {
			return nil, false, err
		}
		doc.remember(env.MessageID, pending)
		next, err := json.Marshal(doc)
		return stamp(g.state.version, next), true, err
	})
	return pending, err
}

// run decodes the state in doc, applies fn and encodes the new state back
// into doc, returning the encoded events fn raised.
func (g *Saga[S]) run(ctx context.Context, doc *sagaDoc, found bool, env Envelope, fn func(context.Context, *S) ([]any, error)) ([]pendingEvent, error) {
	var state S
	if found {
		if err := g.decodeState(doc.State, &state, env.EntityID); err != nil {
			return nil, err
		}
	}
	events, err := fn(ctx, &state)
	if err != nil {
		return nil, err
	}
	pending, err := g.svc.events.encode(events)
	if err != nil {
		return nil, err
	}
	if doc.State, err = g.svc.cfg.Codec.Marshal(&state); err != nil {
		return nil, fmt.Errorf("cqrs: encode %s %s: %w", g.name, quotedID(env.EntityID), err)
	}
	return pending, nil
}
