package cqrs_test

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A transport or store variable declared but never assigned is a nil
// pointer in a non-nil interface: NewService refuses it, naming the field,
// instead of taking it for a set field and panicking at Start.
func TestNewServiceRefusesTypedNilFields(t *testing.T) {
	var transport *cqrs.ChannelTransport
	var store *cqrs.MemoryStore
	_, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Transport: transport, EntityStore: store})
	require.Error(t, err)
	assert.ErrorContains(t, err, "cqrs: ServiceConfig.Transport: nil *cqrs.ChannelTransport, must be non-nil or left unset")
	assert.ErrorContains(t, err, "cqrs: ServiceConfig.EntityStore: nil *cqrs.MemoryStore, must be non-nil or left unset")

	_, err = cqrs.NewService(cqrs.ServiceConfig{Name: "orders"})
	require.NoError(t, err, "fields left unset take their defaults")
}

// fanOut logs to each of its loggers: a nil fanOut is an empty one, which
// logs nowhere, as a nil slice ranges over nothing.
type fanOut []watermill.LoggerAdapter

func (f fanOut) Error(msg string, err error, fields watermill.LogFields) {
	for _, l := range f {
		l.Error(msg, err, fields)
	}
}

func (f fanOut) Info(msg string, fields watermill.LogFields) {
	for _, l := range f {
		l.Info(msg, fields)
	}
}

func (f fanOut) Debug(msg string, fields watermill.LogFields) {
	for _, l := range f {
		l.Debug(msg, fields)
	}
}

func (f fanOut) Trace(msg string, fields watermill.LogFields) {
	for _, l := range f {
		l.Trace(msg, fields)
	}
}

func (f fanOut) With(fields watermill.LogFields) watermill.LoggerAdapter {
	out := make(fanOut, len(f))
	for i, l := range f {
		out[i] = l.With(fields)
	}
	return out
}

// A nil slice or map is a usable value, unlike a nil pointer or func: an
// implementation built on one (an empty fan-out logger) is accepted.
func TestNewServiceAcceptsANilSliceImplementation(t *testing.T) {
	var none fanOut
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Logger: none})
	require.NoError(t, err)
	require.NoError(t, svc.Start(context.Background()))
	assert.NoError(t, svc.Close())
}

// A nil entry in a pipeline or a hook (a middleware constructor that
// returned nil, say) is refused by NewService, naming it, instead of
// panicking at Start or at the first Send.
func TestNewServiceRefusesNilPipelineEntries(t *testing.T) {
	noop := func(h message.HandlerFunc) message.HandlerFunc { return h }
	_, err := cqrs.NewService(cqrs.ServiceConfig{
		Name:                "orders",
		HandlerMiddleware:   []message.HandlerMiddleware{noop, nil},
		PublisherDecorators: []message.PublisherDecorator{nil},
		Hooks:               cqrs.Hooks{EventSubscribe: []message.HandlerMiddleware{nil, noop}},
	})
	require.Error(t, err)
	assert.ErrorContains(t, err, "cqrs: ServiceConfig.HandlerMiddleware[1] is nil")
	assert.ErrorContains(t, err, "cqrs: ServiceConfig.PublisherDecorators[0] is nil")
	assert.ErrorContains(t, err, "cqrs: ServiceConfig.Hooks.EventSubscribe[0] is nil")
	assert.NotContains(t, err.Error(), "HandlerMiddleware[0]")
}

// Each hook list names itself when it holds a nil entry.
func TestNewServiceNamesEachHookWithANilEntry(t *testing.T) {
	_, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Hooks: cqrs.Hooks{
		CommandDispatch:  []message.PublisherDecorator{nil},
		EventDispatch:    []message.PublisherDecorator{nil},
		CommandSubscribe: []message.HandlerMiddleware{nil},
		EventSubscribe:   []message.HandlerMiddleware{nil},
	}})
	require.Error(t, err)
	for _, hook := range []string{"CommandDispatch", "EventDispatch", "CommandSubscribe", "EventSubscribe"} {
		assert.ErrorContains(t, err, "cqrs: ServiceConfig.Hooks."+hook+"[0] is nil")
	}
}
