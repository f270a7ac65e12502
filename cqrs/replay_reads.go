package cqrs

import (
	"context"
	"strings"
)

// entityReads returns the store a read of saga's state of entity id goes
// to (Saga.Load): during a replay, the replay's own store when it rebuilds
// that state (id is the replayed entity's and saga handles one of its
// stored commands), and the service's store for any other, which the
// replay neither rebuilds nor writes, so a handler reads it as it did when
// it ran live.
func (s *Service) entityReads(ctx context.Context, saga, id string) EntityStore {
	if sc := replayScopeOf(ctx); sc != nil && id == sc.entityID && sc.sagas[saga] {
		return sc.entities
	}
	return s.cfg.EntityStore
}

// viewReads returns the store a read of view model id goes to (View.Get):
// during a replay, the replay's own store for the replayed entity's, and
// the service's store for any other entity's (see entityReads).
func (s *Service) viewReads(ctx context.Context, id string) ViewStore {
	if sc := replayScopeOf(ctx); sc != nil && id == sc.entityID {
		return sc.views
	}
	return s.cfg.ViewStore
}

// rebuiltSagas returns the names of the sagas that handle one of cmds here
// (handlers named "<saga>/<type>", see addTypedHandler): those whose state
// of the replayed entity the replay rebuilds. A command stored under an
// alias (Aliases) is its type's.
func (s *Service) rebuiltSagas(cmds []StoredCommand) map[string]bool {
	out := map[string]bool{}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range cmds {
		d := s.dispatchers[s.routeOf(c)]
		info, ok := s.types.ofName(c.Envelope.Type)
		if d == nil || !ok {
			continue
		}
		for _, h := range d.handlers[info.name] {
			out[strings.TrimSuffix(h.name, "/"+info.name)] = true
		}
	}
	return out
}
