package cqrs

import (
	"fmt"

	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
)

// nilFields reports the fields of c that hold a typed nil (see
// fieldcheck.NotTypedNil), say a *ChannelTransport variable never assigned:
// it is not replaced by the field's default, and the service would panic on
// its first use of it.
func (c ServiceConfig) nilFields() []error {
	return []error{
		fieldcheck.NotTypedNil("cqrs: ServiceConfig.Transport", c.Transport),
		fieldcheck.NotTypedNil("cqrs: ServiceConfig.CommandStore", c.CommandStore),
		fieldcheck.NotTypedNil("cqrs: ServiceConfig.EntityStore", c.EntityStore),
		fieldcheck.NotTypedNil("cqrs: ServiceConfig.ViewStore", c.ViewStore),
		fieldcheck.NotTypedNil("cqrs: ServiceConfig.Codec", c.Codec),
		fieldcheck.NotTypedNil("cqrs: ServiceConfig.Logger", c.Logger),
		fieldcheck.NotTypedNil("cqrs: ServiceConfig.Clock", c.Clock),
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
