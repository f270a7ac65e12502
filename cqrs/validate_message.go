package cqrs

import (
	"fmt"
	"reflect"
)

// validator is a command or an event that checks its own payload.
type validator interface {
	Validate() error
}

// validateMessage runs v's Validate method, declared on its type or on a
// pointer to it, if it has one; a failure is ErrInvalidMessage naming the
// type and giving the method's reason. v is a value or a pointer to one;
// a nil pointer is not validated (encoding refuses it, or it decodes as
// null).
func validateMessage(name string, v any) error {
	val, ok := v.(validator)
	if !ok {
		rv := reflect.ValueOf(v)
		if !rv.IsValid() || rv.Kind() == reflect.Pointer {
			return nil
		}
		p := reflect.New(rv.Type())
		p.Elem().Set(rv)
		if val, ok = p.Interface().(validator); !ok {
			return nil
		}
	}
	if rv := reflect.ValueOf(val); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return nil
	}
	if err := val.Validate(); err != nil {
		return fmt.Errorf("%w: %q: %w", ErrInvalidMessage, name, err)
	}
	return nil
}
