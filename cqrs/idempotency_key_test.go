package cqrs_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// lostAnswer is a CommandStore whose first Append stores the command and
// then reports an error, as a commit whose answer was lost does.
type lostAnswer struct {
	cqrs.CommandStore
	once sync.Once
}

var errCommitUnknown = errors.New("connection reset: the commit's outcome is unknown")

func (s *lostAnswer) Append(ctx context.Context, cmd cqrs.StoredCommand) error {
	if err := s.CommandStore.Append(ctx, cmd); err != nil {
		return err
	}
	lost := false
	s.once.Do(func() { lost = true })
	if lost {
		return errCommitUnknown
	}
	return nil
}

// storedOfType returns the entity's stored commands of typeName.
func storedOfType(t *testing.T, store cqrs.CommandStore, entityID, typeName string) []cqrs.StoredCommand {
	t.Helper()
	all, err := store.Load(context.Background(), entityID)
	require.NoError(t, err)
	var out []cqrs.StoredCommand
	for _, c := range all {
		if c.Envelope.Type == typeName {
			out = append(out, c)
		}
	}
	return out
}

// A client whose Send failed with an outcome it cannot know sends again
// with the same idempotency key: the command stored by the first attempt is
// found and published, not stored a second time, and keeps its sequence.
func TestASendRetriedWithItsIdempotencyKeyStoresOneCommand(t *testing.T) {
	mem := cqrs.NewMemoryCommandStore()
	app := newOrderApp(t, cqrs.ServiceConfig{CommandStore: &lostAnswer{CommandStore: mem}})
	app.start(t)
	ctx := cqrs.ContextWithIdempotencyKey(context.Background(), "request-1")

	_, err := app.agg.Send(ctx, "o-1", CreateOrder{Customer: "ann", Amount: 5})
	require.ErrorIs(t, err, errCommitUnknown)
	env, err := app.agg.Send(ctx, "o-1", CreateOrder{Customer: "ann", Amount: 5})
	require.NoError(t, err, "the retry finds the stored command and publishes it")

	stored := storedOfType(t, mem, "o-1", "orders.CreateOrder")
	require.Len(t, stored, 1, "one command is stored for the two sends")
	assert.Equal(t, stored[0].Envelope.MessageID, env.MessageID)
	assert.Equal(t, int64(1), env.Sequence, "the retry keeps the stored command's sequence")
	eventually(t, func() bool {
		o, found, err := app.orders.Load(context.Background(), "o-1")
		return err == nil && found && o.Customer == "ann"
	}, "the retried command is delivered")
}

// Without a key the same retry stores a second command under a new id: the
// reason the key exists.
func TestASendRetriedWithoutAKeyStoresASecondCommand(t *testing.T) {
	mem := cqrs.NewMemoryCommandStore()
	app := newOrderApp(t, cqrs.ServiceConfig{CommandStore: &lostAnswer{CommandStore: mem}})
	app.start(t)
	_, err := app.agg.Send(context.Background(), "o-1", CreateOrder{Customer: "ann", Amount: 5})
	require.ErrorIs(t, err, errCommitUnknown)
	_, err = app.agg.Send(context.Background(), "o-1", CreateOrder{Customer: "ann", Amount: 5})
	require.NoError(t, err)
	assert.Len(t, storedOfType(t, mem, "o-1", "orders.CreateOrder"), 2)
}

// The id derives from the key and the command: the same command again is
// the same message; another payload, entity or key is another command.
func TestAnIdempotencyKeyNamesOneCommandPerPayloadAndEntity(t *testing.T) {
	app := newOrderApp(t, cqrs.ServiceConfig{})
	app.start(t)
	send := func(key, entity string, amount int) cqrs.Envelope {
		t.Helper()
		env, err := app.agg.Send(cqrs.ContextWithIdempotencyKey(context.Background(), key), entity, CreateOrder{Customer: "ann", Amount: amount})
		require.NoError(t, err)
		return env
	}
	first := send("k", "o-1", 5)
	again := send("k", "o-1", 5)
	assert.Equal(t, first.MessageID, again.MessageID)
	assert.Equal(t, first.Sequence, again.Sequence)
	assert.Len(t, storedOfType(t, app.store, "o-1", "orders.CreateOrder"), 1)

	other := send("k", "o-1", 6)
	assert.NotEqual(t, first.MessageID, other.MessageID, "another payload is another command")
	assert.Greater(t, other.Sequence, first.Sequence, "and takes the next sequence")
	assert.NotEqual(t, first.MessageID, send("k", "o-2", 5).MessageID, "another entity is another command")
	assert.NotEqual(t, first.MessageID, send("k2", "o-1", 5).MessageID, "another key is another command")
	assert.Len(t, storedOfType(t, app.store, "o-1", "orders.CreateOrder"), 3)

	plain := cqrs.ContextWithIdempotencyKey(context.Background(), "")
	a, err := app.agg.Send(plain, "o-3", CreateOrder{Amount: 1})
	require.NoError(t, err)
	b, err := app.agg.Send(plain, "o-3", CreateOrder{Amount: 1})
	require.NoError(t, err)
	assert.NotEqual(t, a.MessageID, b.MessageID, "an empty key carries nothing: each send is a new command")
}

// An event raised outside a handler with a key keeps its id when raised
// again, so consumers drop the repeat.
func TestAnEventRaisedAgainWithItsIdempotencyKeyKeepsItsID(t *testing.T) {
	app := newOrderApp(t, cqrs.ServiceConfig{})
	app.start(t)
	ctx := cqrs.ContextWithIdempotencyKey(context.Background(), "request-1")
	first, err := app.svc.EventQueue().Raise(ctx, "o-1", OrderCreated{OrderID: "o-1", Amount: 5})
	require.NoError(t, err)
	again, err := app.svc.EventQueue().Raise(ctx, "o-1", OrderCreated{OrderID: "o-1", Amount: 5})
	require.NoError(t, err)
	assert.Equal(t, first.MessageID, again.MessageID)
}
