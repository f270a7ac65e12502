package cqrs

import "github.com/sourceflow-go/sourceflow/internal/fieldcheck"

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
	return []error{
		fieldcheck.NoNilEntries("cqrs: ServiceConfig.HandlerMiddleware", c.HandlerMiddleware),
		fieldcheck.NoNilEntries("cqrs: ServiceConfig.PublisherDecorators", c.PublisherDecorators),
		fieldcheck.NoNilEntries("cqrs: ServiceConfig.Hooks.CommandDispatch", c.Hooks.CommandDispatch),
		fieldcheck.NoNilEntries("cqrs: ServiceConfig.Hooks.EventDispatch", c.Hooks.EventDispatch),
		fieldcheck.NoNilEntries("cqrs: ServiceConfig.Hooks.CommandSubscribe", c.Hooks.CommandSubscribe),
		fieldcheck.NoNilEntries("cqrs: ServiceConfig.Hooks.EventSubscribe", c.Hooks.EventSubscribe),
	}
}
