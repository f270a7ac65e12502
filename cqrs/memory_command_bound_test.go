package cqrs_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

func appendCommand(t *testing.T, s *cqrs.MemoryCommandStore, entity, id string) int64 {
	t.Helper()
	ctx := context.Background()
	seq, err := s.NextSequence(ctx, entity)
	require.NoError(t, err)
	env := cqrs.Envelope{Type: "orders.CreateOrder", MessageID: id, EntityID: entity, Sequence: seq}
	require.NoError(t, s.Append(ctx, cqrs.StoredCommand{Envelope: env, Destination: "orders", Payload: []byte(`{}`)}))
	return seq
}

// The store keeps its last MaxCommands commands of all entities together:
// an evicted command is not found, its entity's Load says its history is
// incomplete, and sequence numbers go on from where they were.
func TestMemoryCommandStoreEvictsTheOldestCommand(t *testing.T) {
	ctx := context.Background()
	s, err := cqrs.NewMemoryCommandStoreWithConfig(cqrs.MemoryCommandStoreConfig{MaxCommands: 3})
	require.NoError(t, err)
	appendCommand(t, s, "a", "a-1")
	appendCommand(t, s, "b", "b-1")
	appendCommand(t, s, "a", "a-2")
	appendCommand(t, s, "b", "b-2")

	assert.Equal(t, 3, s.Len())
	_, err = s.Find(ctx, "a", "a-1")
	assert.ErrorIs(t, err, cqrs.ErrNotFound)
	found, err := s.Find(ctx, "a", "a-2")
	require.NoError(t, err)
	assert.EqualValues(t, 2, found.Envelope.Sequence)
	_, err = s.Load(ctx, "a")
	require.ErrorIs(t, err, cqrs.ErrCommandsEvicted)
	assert.ErrorContains(t, err, `entity "a"`)
	b, err := s.Load(ctx, "b")
	require.NoError(t, err)
	assert.Len(t, b, 2)

	assert.EqualValues(t, 3, appendCommand(t, s, "a", "a-1"), "the evicted command is stored again under a new number")
	_, err = s.Load(ctx, "b")
	assert.ErrorIs(t, err, cqrs.ErrCommandsEvicted)
}

func TestMemoryCommandStoreKeepsDefaultMemoryCommands(t *testing.T) {
	s := cqrs.NewMemoryCommandStore()
	for i := range cqrs.DefaultMemoryCommands + 10 {
		appendCommand(t, s, fmt.Sprint("e-", i%7), fmt.Sprint("m-", i))
	}
	assert.Equal(t, cqrs.DefaultMemoryCommands, s.Len())
}

func TestMemoryCommandStoreConfigRefusesANegativeBound(t *testing.T) {
	_, err := cqrs.NewMemoryCommandStoreWithConfig(cqrs.MemoryCommandStoreConfig{MaxCommands: -1})
	assert.ErrorContains(t, err, "MaxCommands")
}

// Replay refuses an entity whose oldest commands the memory store evicted,
// rather than rebuild its state from part of its history.
func TestReplayRefusesAnEntityWithEvictedCommands(t *testing.T) {
	store, err := cqrs.NewMemoryCommandStoreWithConfig(cqrs.MemoryCommandStoreConfig{MaxCommands: 1})
	require.NoError(t, err)
	app := newOrderApp(t, cqrs.ServiceConfig{CommandStore: store})
	app.start(t)
	ctx := context.Background()
	for i := range 2 {
		_, err := app.svc.CommandBus().Send(ctx, "order-1", CreateOrder{Customer: "ada", Amount: i})
		require.NoError(t, err)
	}

	_, err = app.agg.Replay(ctx, "order-1")

	assert.ErrorIs(t, err, cqrs.ErrCommandsEvicted)
}

// A send again with its idempotency key after the memory store evicted the
// command stores it again under a new sequence number, with the same
// message id, so the consumers' idempotency recognises it.
func TestIdempotencyKeyRetryAfterEvictionTakesANewSequence(t *testing.T) {
	store, err := cqrs.NewMemoryCommandStoreWithConfig(cqrs.MemoryCommandStoreConfig{MaxCommands: 1})
	require.NoError(t, err)
	app := newOrderApp(t, cqrs.ServiceConfig{CommandStore: store})
	app.start(t)
	keyed := cqrs.ContextWithIdempotencyKey(context.Background(), "request-1")
	first, err := app.svc.CommandBus().Send(keyed, "order-1", CreateOrder{Customer: "ada", Amount: 1})
	require.NoError(t, err)
	_, err = app.svc.CommandBus().Send(context.Background(), "order-2", CreateOrder{Customer: "bob", Amount: 2})
	require.NoError(t, err)

	again, err := app.svc.CommandBus().Send(keyed, "order-1", CreateOrder{Customer: "ada", Amount: 1})

	require.NoError(t, err)
	assert.Equal(t, first.MessageID, again.MessageID)
	assert.Greater(t, again.Sequence, first.Sequence)
	assert.Equal(t, 1, store.Len())
}
