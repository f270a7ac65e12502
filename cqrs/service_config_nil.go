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

// nilEntries reports the nil entries of c's pipelines and hooks, which
// Start or the first Send would call and panic on.
func (c ServiceConfig) nilEntries() []error {
	var errs []error
	check := func(field string, n int, isNil func(i int) bool) {
		for i := range n {
			if isNil(i) {
				errs = append(errs, fmt.Errorf("cqrs: ServiceConfig.%s[%d] is nil", field, i))
			}
		}
	}
	check("HandlerMiddleware", len(c.HandlerMiddleware), func(i int) bool { return c.HandlerMiddleware[i] == nil })
	check("PublisherDecorators", len(c.PublisherDecorators), func(i int) bool { return c.PublisherDecorators[i] == nil })
	check("Hooks.CommandDispatch", len(c.Hooks.CommandDispatch), func(i int) bool { return c.Hooks.CommandDispatch[i] == nil })
	check("Hooks.EventDispatch", len(c.Hooks.EventDispatch), func(i int) bool { return c.Hooks.EventDispatch[i] == nil })
	check("Hooks.CommandSubscribe", len(c.Hooks.CommandSubscribe), func(i int) bool { return c.Hooks.CommandSubscribe[i] == nil })
	check("Hooks.EventSubscribe", len(c.Hooks.EventSubscribe), func(i int) bool { return c.Hooks.EventSubscribe[i] == nil })
	return errs
}
