package outbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// receivedOn subscribes to dest on tr and returns the ids it receives.
func receivedOn(t *testing.T, tr *cqrs.ChannelTransport, dest string) <-chan string {
	t.Helper()
	sub, err := tr.Subscriber(dest)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	msgs, err := sub.Subscribe(ctx, dest)
	require.NoError(t, err)
	ids := make(chan string, 16)
	go func() {
		for m := range msgs {
			ids <- m.UUID
			m.Ack()
		}
	}()
	return ids
}

// A row for an event destination a newer version added, forwarded by an
// instance whose HybridTransport (commands on one transport, events on
// another) was bound without it, is held, not published on the command
// transport (Default), and is relayed on the event transport once a Bind
// tells the HybridTransport the destination carries events.
func TestARowForADestinationTheHybridDoesNotKnowIsHeldUntilABindNamesIt(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		ctx := context.Background()
		cmds, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
		require.NoError(t, err)
		evs, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
		require.NoError(t, err)
		hybrid, err := cqrs.NewHybridTransport(cqrs.HybridConfig{Default: cmds, Commands: cmds, Events: evs})
		require.NoError(t, err)
		t.Cleanup(func() { _ = hybrid.Close() })
		onCommands, onEvents := receivedOn(t, cmds, "added"), receivedOn(t, evs, "added")

		topic := uniqueName("obh")
		d.dropOutbox(t, db, topic)
		newer, err := outbox.New(outbox.Config{DB: db, Dialect: d.dialect, Transport: evs, Topic: topic, DisableForwarder: true})
		require.NoError(t, err)
		require.NoError(t, newer.Bind(ctx, sourceflow.Binding{Service: "obh"}))
		ids := sendEach(t, db, publishers(t, newer, []string{"added"}), []string{"added"})

		cfg := outbox.Config{DB: db, Dialect: d.dialect, Transport: hybrid, Topic: topic}
		older, err := outbox.New(cfg)
		require.NoError(t, err)
		t.Cleanup(func() { _ = older.Close() })
		require.NoError(t, older.Bind(ctx, sourceflow.Binding{Service: "obh"}))
		require.EventuallyWithT(t, func(c *assert.CollectT) {
			assert.True(c, d.forwardedAll(c, db, topic))
			depths, err := outbox.Depths(ctx, cfg)
			if assert.NoError(c, err) {
				assert.Equal(c, int64(1), depths[0].Visible)
			}
		}, waitFor, 10*time.Millisecond, "the row is held")
		assert.Empty(t, onCommands, "not published on the command transport")
		assert.Empty(t, onEvents)

		require.NoError(t, hybrid.Bind(ctx, sourceflow.Binding{Service: "newer", Routes: []sourceflow.Route{
			{Type: "obh.Added", Kind: sourceflow.KindEvent, Destination: "added"},
		}}))
		select {
		case id := <-onEvents:
			assert.Equal(t, ids[0], id, "relayed on the event transport")
		case <-time.After(waitFor):
			t.Fatal("the held row was not relayed once a Bind named its destination")
		}
		assert.Empty(t, onCommands)
	})
}
