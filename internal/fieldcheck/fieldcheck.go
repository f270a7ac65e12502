package fieldcheck

import (
	"cmp"
	"errors"
	"fmt"
	"reflect"
)

// AtLeast reports v below lowest.
func AtLeast[T cmp.Ordered](field string, v, lowest T) error {
	if v < lowest {
		return fmt.Errorf("%s: %v, must be at least %v", field, v, lowest)
	}
	return nil
}

// NotNegative reports v below zero.
func NotNegative[T cmp.Ordered](field string, v T) error {
	var zero T
	if v < zero {
		return fmt.Errorf("%s: %v, must not be negative", field, v)
	}
	return nil
}

// Within reports v outside [lowest, highest].
func Within[T cmp.Ordered](field string, v, lowest, highest T) error {
	if v < lowest || v > highest {
		return fmt.Errorf("%s: %v, must be %v..%v", field, v, lowest, highest)
	}
	return nil
}

// Required reports a field that is not set (set false).
func Required(field string, set bool) error {
	if !set {
		return fmt.Errorf("%s is required", field)
	}
	return nil
}

// Positive reports v at or below zero.
func Positive[T cmp.Ordered](field string, v T) error {
	var zero T
	if v <= zero {
		return fmt.Errorf("%s: %v, must be above zero", field, v)
	}
	return nil
}

// Set reports a required field left unset (nil) or holding a typed nil
// (see NotTypedNil), which has no default to fall back to.
func Set(field string, v any) error {
	if v == nil {
		return Required(field, false)
	}
	if IsTypedNil(v) {
		return fmt.Errorf("%s: nil %T, must be set", field, v)
	}
	return nil
}

// NotTypedNil reports an optional field that holds a nil pointer, func or
// channel behind a non-nil interface: a typed nil, say a *T variable never
// assigned, is not replaced by the field's default, so the first use of the
// field would panic. A nil slice or map is let through: methods on one can
// work.
func NotTypedNil(field string, v any) error {
	if IsTypedNil(v) {
		return fmt.Errorf("%s: nil %T, must be non-nil or left unset for the default", field, v)
	}
	return nil
}

// IsTypedNil reports whether v is a non-nil interface holding a nil pointer,
// func or channel.
func IsTypedNil(v any) bool {
	if v == nil {
		return false
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Func, reflect.Chan:
		return rv.IsNil()
	default:
		return false
	}
}

// NoNilEntries reports the nil entries of the optional list field, a typed
// nil included, each by its index.
func NoNilEntries[S any](field string, list []S) error {
	var errs []error
	for i, s := range list {
		if any(s) == nil || IsTypedNil(s) {
			errs = append(errs, fmt.Errorf("%s[%d] is nil", field, i))
		}
	}
	return errors.Join(errs...)
}
