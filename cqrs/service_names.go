package cqrs

import (
	"fmt"
	"reflect"
)

// ownerName is the name of a saga or of a view, which keys its documents:
// a saga's entities in the EntityStore, a view's models in the ViewStore.
type ownerName struct {
	role string // "saga" or "view"
	name string
}

// claimName reserves key for the state or model type model of the saga or
// view registering a handler. Two sagas, or two views, of distinct types
// sharing a name would read and overwrite each other's documents, so a name
// claimed for another type is ErrDuplicateHandler; sagas (views) of one
// type and name are one saga (view), whichever NewSaga (NewView) call
// returned them, and claim it again for each of their handlers.
func (s *Service) claimName(key ownerName, model reflect.Type) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkChangeable(); err != nil {
		return err
	}
	prev, ok := s.owners[key]
	if !ok {
		s.owners[key] = model
		return nil
	}
	if prev == model {
		return nil
	}
	of, documents := key.words()
	return fmt.Errorf("%w: another %s (%s %v) is named %q; the name keys a %s's %s, so a %s of %s %v cannot share it",
		ErrDuplicateHandler, key.role, of, prev, key.name, key.role, documents, key.role, of, model)
}

// words returns, for k's role, what its type parameter is and what its
// name keys.
func (k ownerName) words() (of, documents string) {
	if k.role == "saga" {
		return "state", "entities in the EntityStore"
	}
	return "model", "models in the ViewStore"
}
