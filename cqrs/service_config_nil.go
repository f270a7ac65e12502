package cqrs

import (
	"fmt"
	"reflect"
)

// nilFields reports the fields of c that hold a nil pointer (or func or
// channel) behind a non-nil interface: such a typed nil, say a
// *ChannelTransport variable never assigned, is not replaced by the
// field's default, and the service would panic on its first use of it.
// A nil slice or map is let through: methods on one can work (an empty
// fan-out logger ranges over nothing).
func (c ServiceConfig) nilFields() []error {
	fields := []struct {
		name  string
		value any
	}{
		{"Transport", c.Transport},
		{"CommandStore", c.CommandStore},
		{"EntityStore", c.EntityStore},
		{"ViewStore", c.ViewStore},
		{"Codec", c.Codec},
		{"Logger", c.Logger},
		{"Clock", c.Clock},
	}
	var errs []error
	for _, f := range fields {
		if isTypedNil(f.value) {
			errs = append(errs, fmt.Errorf("cqrs: ServiceConfig.%s: nil %T, must be non-nil or left unset for the default", f.name, f.value))
		}
	}
	return errs
}

// isTypedNil reports whether v is a non-nil interface holding a nil
// pointer, func or channel.
func isTypedNil(v any) bool {
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
