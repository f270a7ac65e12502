package cqrs_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// A destination no Bind named, outside Destinations, has no publisher nor
// subscriber (ErrNotBound) when its kind would pick its transport: an event
// destination a newer version added is not published on the command
// transport (Default), so an outbox in front holds its rows.
func TestHybridTransport_RefusesADestinationWhoseTransportDependsOnAnUnknownKind(t *testing.T) {
	cmds, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
	require.NoError(t, err)
	evs, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
	require.NoError(t, err)
	hy, err := cqrs.NewHybridTransport(cqrs.HybridConfig{Default: cmds, Commands: cmds, Events: evs})
	require.NoError(t, err)
	t.Cleanup(func() { _ = hy.Close() })
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "old", Transport: hy})
	require.NoError(t, err)
	require.NoError(t, svc.Start(context.Background()))
	t.Cleanup(func() { _ = svc.Close() })

	pub, err := hy.Publisher("events-added-by-newer-version")
	require.ErrorIs(t, err, cqrs.ErrNotBound, "got %T", pub)
	assert.Contains(t, err.Error(), `"events-added-by-newer-version"`)
	assert.Contains(t, err.Error(), "HybridConfig.Destinations", "says how to route it without a Bind")
	_, err = hy.Subscriber("events-added-by-newer-version")
	require.ErrorIs(t, err, cqrs.ErrNotBound)
}

// Where the kind does not matter the destination goes to its transport
// unbound: Default alone, Commands and Events both Default, or a
// destination named in Destinations.
func TestHybridTransport_RoutesAnUnboundDestinationWhereItsKindDoesNotMatter(t *testing.T) {
	aws, local := &fakeTransport{}, &fakeTransport{}
	for name, cfg := range map[string]cqrs.HybridConfig{
		"default only":      {Default: aws, Destinations: map[string]cqrs.Transport{"audit": local}},
		"kinds on default":  {Default: aws, Commands: aws, Events: aws},
		"named destination": {Default: aws, Commands: local, Destinations: map[string]cqrs.Transport{"unbound": aws}},
	} {
		hy, err := cqrs.NewHybridTransport(cfg)
		require.NoError(t, err, name)
		aws.pubs, aws.subs = nil, nil
		_, err = hy.Publisher("unbound")
		require.NoError(t, err, name)
		_, err = hy.Subscriber("unbound")
		require.NoError(t, err, name)
		assert.Equal(t, []string{"unbound"}, aws.pubs, name)
		assert.Equal(t, []string{"unbound"}, aws.subs, name)
	}
	assert.Empty(t, local.pubs)
}
