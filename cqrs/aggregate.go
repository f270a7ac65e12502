package cqrs

import (
	"context"

	"github.com/sourceflow-go/sourceflow"
)

// Aggregate is the client-facing side of an entity type: it sends commands
// for entities, reacts to events (possibly sending new commands) and replays
// an entity's stored commands.
type Aggregate struct {
	svc  *Service
	name string
}

// NewAggregate returns an aggregate named name; the name prefixes its
// reaction handler names.
func NewAggregate(s *Service, name string) *Aggregate { return &Aggregate{svc: s, name: name} }

// Send sends cmd for the entity through the service's CommandBus (see
// CommandBus.Send): an error from the command's handler is not returned.
func (a *Aggregate) Send(ctx context.Context, entityID string, cmd any) (Envelope, error) {
	return a.svc.bus.Send(ctx, entityID, cmd)
}

// Replay re-runs the entity's stored commands through this service's local
// handlers; see Service.Replay.
func (a *Aggregate) Replay(ctx context.Context, entityID string) (ReplayReport, error) {
	return a.svc.Replay(ctx, entityID)
}

// Reaction handles event E for an aggregate; the commands it sends through
// the aggregate it is given name the event as their cause.
type Reaction[E any] func(ctx context.Context, a *Aggregate, ev E, env Envelope) error

// React registers r as the aggregate's reaction to event E. The event's
// destination must be listened to.
func React[E any](a *Aggregate, r Reaction[E]) error {
	return addTypedHandler(a.svc, sourceflow.KindEvent, a.name, a.svc.cfg.CommandStore,
		func(ctx context.Context, ev E, env Envelope) error { return r(ctx, a, ev, env) })
}
