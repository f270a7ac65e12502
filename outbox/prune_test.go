package outbox_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// Prune deletes the forwarded rows but the last and keeps every row not yet
// forwarded: a forwarder started afterwards delivers those, and nothing it
// forwarded before again.
func TestPruneKeepsTheRowsNotYetForwarded(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		db := d.open(t)
		topic := uniqueName("obp")
		d.dropOutbox(t, db, topic)
		store, _ := newStore(t, d, db)
		send := newWriter(t, d, store, topic)

		forwarded := sendOrders(t, store, send, "early", 5)
		first := newHarness(t, d, db, topic, nil, func(b *outbox.Transport) { outbox.SetPruneInterval(b, -1) })
		waitHandled(t, first, forwarded)
		require.EventuallyWithT(t, func(c *assert.CollectT) { assert.True(c, d.forwardedAll(c, db, topic)) }, waitFor, 10*time.Millisecond,
			"the forwarder acknowledged the rows it forwarded")
		require.NoError(t, first.svc.Close())
		require.NoError(t, first.box.Close())

		pending := sendOrders(t, store, send, "late", 3)
		n, err := outbox.Prune(ctx, outbox.Config{DB: db, Dialect: d.dialect, Topic: topic})
		require.NoError(t, err)
		assert.Equal(t, int64(len(forwarded)-1), n, "every forwarded row but the last is deleted")
		assert.Equal(t, 1+len(pending), d.outboxRows(t, db, topic), "the last forwarded row and the rows not yet forwarded stay")
		n, err = outbox.Prune(ctx, outbox.Config{DB: db, Dialect: d.dialect, Topic: topic})
		require.NoError(t, err)
		assert.Zero(t, n, "a second prune finds nothing to delete")

		second := newHarness(t, d, db, topic, nil)
		waitHandled(t, second, pending)
		for _, env := range forwarded {
			assert.Zero(t, second.deliveries.count(env.MessageID), "a row forwarded before the prune is not forwarded again")
		}
	})
}

// A forwarder prunes on its own every PruneInterval; a negative interval
// keeps every row.
func TestTheForwarderPrunesEveryPruneInterval(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		topic := uniqueName("obp")
		d.dropOutbox(t, db, topic)
		h := newHarness(t, d, db, topic, nil, func(b *outbox.Transport) { outbox.SetPruneInterval(b, 10*time.Millisecond) })
		waitHandled(t, h, sendOrders(t, h.store, h.orders.Send, "o", 6))
		require.EventuallyWithT(t, func(c *assert.CollectT) { assert.Equal(c, 1, d.outboxRows(c, db, topic)) }, waitFor, 10*time.Millisecond,
			"the forwarder pruned the forwarded rows but the last")

		kept := uniqueName("obp")
		d.dropOutbox(t, db, kept)
		k := newHarness(t, d, db, kept, nil, func(b *outbox.Transport) { outbox.SetPruneInterval(b, -1) })
		waitHandled(t, k, sendOrders(t, k.store, k.orders.Send, "o", 6))
		assert.Equal(t, 6, d.outboxRows(t, db, kept), "with a negative PruneInterval every row stays")
	})
}

// Prune before any forwarder ran deletes nothing: no forwarder has a
// position yet, so no row counts as forwarded.
func TestPruneBeforeAnyForwarderRanDeletesNothing(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		db := d.open(t)
		topic := uniqueName("obp")
		d.dropOutbox(t, db, topic)
		store, _ := newStore(t, d, db)
		send := newWriter(t, d, store, topic)
		sendOrders(t, store, send, "o", 2)
		n, err := outbox.Prune(context.Background(), outbox.Config{DB: db, Dialect: d.dialect, Topic: topic})
		require.NoError(t, err)
		assert.Zero(t, n)
		assert.Equal(t, 2, d.outboxRows(t, db, topic))
	})
}

type sendFunc func(ctx context.Context, entityID string, cmd any) (cqrs.Envelope, error)

// newWriter starts a service that writes PlaceOrder into the outbox of
// topic without forwarding it, and returns its send.
func newWriter(t *testing.T, d dialect, store *sqlstore.Store, topic string) sendFunc {
	t.Helper()
	inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
	require.NoError(t, err)
	box, err := outbox.New(outbox.Config{DB: store.DB(), Dialect: d.dialect, Transport: inner, Topic: topic, DisableForwarder: true})
	require.NoError(t, err)
	svc, err := wire("orders-writer", box, store, nil, nil)
	require.NoError(t, err)
	require.NoError(t, svc.Start(context.Background()))
	t.Cleanup(func() {
		assert.NoError(t, svc.Close())
		assert.NoError(t, box.Close())
	})
	return cqrs.NewAggregate(svc, "order").Send
}

// sendOrders sends n PlaceOrder commands, each in a transaction of store,
// and returns their envelopes.
func sendOrders(t *testing.T, store *sqlstore.Store, send sendFunc, prefix string, n int) []cqrs.Envelope {
	t.Helper()
	var sent []cqrs.Envelope
	for i := range n {
		id := fmt.Sprintf("%s-%d", prefix, i)
		err := store.WithinTx(context.Background(), func(ctx context.Context) error {
			env, err := send(ctx, id, PlaceOrder{OrderID: id})
			sent = append(sent, env)
			return err
		})
		require.NoError(t, err)
	}
	return sent
}

// waitHandled waits until h handled every command of sent.
func waitHandled(t *testing.T, h *harness, sent []cqrs.Envelope) {
	t.Helper()
	for _, env := range sent {
		require.Eventually(t, func() bool { return h.handled.count(env.MessageID) > 0 }, waitFor, 10*time.Millisecond,
			"command %s is forwarded and handled", env.MessageID)
	}
}
