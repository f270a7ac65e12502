package cqrs

import (
	"fmt"
	"reflect"
)

// validator is a command or an event that checks its own payload.
type validator interface {
	Validate() error
}

// hasValidate reports whether a value of registered type t, or a pointer to
// one, has a Validate method: whether validateMessage can do anything for
// it. It is read once, at registration, so that a type without one costs
// no reflection per message.
func hasValidate(t reflect.Type) bool {
	v := reflect.TypeFor[validator]()
	return t.Implements(v) || reflect.PointerTo(t).Implements(v)
}

// validateMessage runs v's Validate method, declared on its type or on a
// pointer to it, if it has one; a failure is ErrInvalidMessage naming the
// type and giving the method's reason. v is a value or a pointer to one. A
// nil pointer, which is encoded as null and decoded as the zero value, is
// validated as that zero value, as its consumer validates it.
func validateMessage(name string, v any) error {
	val, ok := v.(validator)
	switch rv := reflect.ValueOf(v); {
	case !rv.IsValid():
		return nil
	case rv.Kind() == reflect.Pointer && rv.IsNil():
		val, ok = reflect.New(rv.Type().Elem()).Interface().(validator)
	case !ok && rv.Kind() != reflect.Pointer:
		p := reflect.New(rv.Type())
		p.Elem().Set(rv)
		val, ok = p.Interface().(validator)
	}
	if !ok {
		return nil
	}
	if err := val.Validate(); err != nil {
		return fmt.Errorf("%w: %q: %w", ErrInvalidMessage, name, err)
	}
	return nil
}
