package cqrs

import (
	"context"
	"fmt"
	"reflect"

	"github.com/sourceflow-go/sourceflow"
)

// ownerName is the name of a saga or of a view, which keys its documents:
// a saga's entities in the EntityStore, a view's models in the ViewStore.
type ownerName struct {
	role string // "saga" or "view"
	name string
}

// ownerClaim is the type and StateVersion a saga or view name is claimed
// for, and how many registrations hold the claim: those that succeeded,
// for good, and those under way.
type ownerClaim struct {
	model   reflect.Type
	version int
	held    int
}

// claimName reserves key for the state or model type model, of the
// StateVersion version, of the saga or view registering a handler. Two sagas, or two views, of distinct types
// sharing a name would read and overwrite each other's documents, so a name
// claimed for another type is ErrDuplicateHandler; sagas (views) of one
// type and name are one saga (view), whichever NewSaga (NewView) call
// returned them, and claim it again for each of their handlers. They
// declare one StateVersion: handlers of a lower one would refuse the
// documents the others stamp, so another version is ErrInvalidRegistration.
//
// The caller registers its handler, then calls the returned done with the
// outcome: a registration that failed gives its claim back, so a name only
// failed registrations claimed is free again.
func (s *Service) claimName(key ownerName, model reflect.Type, version int) (done func(error) error, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkChangeable(); err != nil {
		return nil, err
	}
	prev, ok := s.owners[key]
	if ok && prev.model != model {
		of, documents := key.words()
		return nil, fmt.Errorf("%w: another %s (%s %v) is named %q; the name keys a %s's %s, so a %s of %s %v cannot share it",
			ErrDuplicateHandler, key.role, of, prev.model, key.name, key.role, documents, key.role, of, model)
	}
	if ok && prev.version != version {
		return nil, fmt.Errorf("%w: %s %q: StateVersion %d, but another of its registrations declared StateVersion %d: "+
			"every NewSaga or NewView of one name declares the same version",
			ErrInvalidRegistration, key.role, key.name, version, prev.version)
	}
	s.owners[key] = ownerClaim{model: model, version: version, held: prev.held + 1}
	return func(err error) error {
		if err != nil {
			s.releaseName(key)
		}
		return err
	}, nil
}

// addOwnedHandler registers fn as the handler of T (registered as kind)
// of the saga or view key, whose documents are of type M and of state's
// version, in store (see addTypedHandler): it claims key's name for M and
// that version (see claimName) and gives the claim back when the
// registration fails.
func addOwnedHandler[M, T any](s *Service, key ownerName, state stateOptions, kind sourceflow.Kind, store any,
	fn func(ctx context.Context, v T, env Envelope) error) error {
	if err := state.validate(key.role, key.name); err != nil {
		return err
	}
	done, err := s.claimName(key, reflect.TypeFor[M](), state.version)
	if err != nil {
		return err
	}
	return done(addTypedHandler(s, kind, key.name, store, fn))
}

// releaseName gives back one claim of key, freeing the name with its last.
func (s *Service) releaseName(key ownerName) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.owners[key]
	if c.held <= 1 {
		delete(s.owners, key)
		return
	}
	c.held--
	s.owners[key] = c
}

// words returns, for k's role, what its type parameter is and what its
// name keys.
func (k ownerName) words() (of, documents string) {
	if k.role == "saga" {
		return "state", "entities in the EntityStore"
	}
	return "model", "models in the ViewStore"
}
