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

// nameOwner is the saga or view that registered handlers under a name: the
// *Saga or *View NewSaga or NewView returned, and its state or model type.
type nameOwner struct {
	handle any
	model  reflect.Type
}

// claimName reserves key for owner, the *Saga or *View registering a
// handler, whose state or model type is model. Two sagas, or two views,
// sharing a name would read and overwrite each other's documents, so a name
// another NewSaga (NewView) result claimed is ErrDuplicateHandler; owner
// itself claims its name again for each of its handlers.
func (s *Service) claimName(key ownerName, owner any, model reflect.Type) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkChangeable(); err != nil {
		return err
	}
	prev, ok := s.owners[key]
	if !ok {
		s.owners[key] = nameOwner{handle: owner, model: model}
		return nil
	}
	if prev.handle == owner {
		return nil
	}
	of, documents, constructor := key.words()
	return fmt.Errorf("%w: another %s (%s %v) is named %q; the name keys a %s's %s, so two %ss cannot share it (register all of one %s's handlers on the value one %s call returned)",
		ErrDuplicateHandler, key.role, of, prev.model, key.name, key.role, documents, key.role, key.role, constructor)
}

// words returns, for k's role, what its type parameter is, what its name
// keys and the function that returns one.
func (k ownerName) words() (of, documents, constructor string) {
	if k.role == "saga" {
		return "state", "entities in the EntityStore", "NewSaga"
	}
	return "model", "models in the ViewStore", "NewView"
}
