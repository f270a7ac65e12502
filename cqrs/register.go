package cqrs

import (
	"reflect"

	"github.com/sourceflow-go/sourceflow"
)

// RegisterCommand registers command type C under the logical name and routes
// it to destination. Names are explicit and stable (e.g. "orders.CreateOrder"),
// never derived from Go type names. Registering a name or a type twice is
// ErrDuplicateType.
func RegisterCommand[C any](s *Service, name, destination string) error {
	return s.register(name, sourceflow.KindCommand, reflect.TypeFor[C](), destination)
}

// RegisterEvent registers event type E under the logical name and routes it
// to destination.
func RegisterEvent[E any](s *Service, name, destination string) error {
	return s.register(name, sourceflow.KindEvent, reflect.TypeFor[E](), destination)
}

// typeInfoOf returns the registration of T, checking its kind.
func typeInfoOf[T any](s *Service, kind sourceflow.Kind) (*typeInfo, error) {
	info, err := s.types.ofType(reflect.TypeFor[T]())
	if err != nil {
		return nil, err
	}
	if info.kind != kind {
		return nil, &kindError{name: info.name, want: kind, got: info.kind}
	}
	return info, nil
}

type kindError struct {
	name      string
	want, got sourceflow.Kind
}

func (e *kindError) Error() string {
	return "cqrs: " + e.name + " is registered as a " + e.got.String() + ", not a " + e.want.String()
}

func (e *kindError) Unwrap() error { return ErrInvalidRegistration }
