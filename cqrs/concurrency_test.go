package cqrs_test

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// interfering is a DocumentStore shared with another instance: before a
// chosen save it lets the other instance save the same document first.
type interfering struct {
	cqrs.DocumentStore
	mu     sync.Mutex
	before func(ctx context.Context, kind, id string) // runs once per armed save
	always bool                                       // conflict on every save
}

func (s *interfering) Save(ctx context.Context, kind, id string, data []byte, version int64) error {
	s.mu.Lock()
	hook := s.before
	s.before = nil
	s.mu.Unlock()
	if hook != nil {
		hook(ctx, kind, id)
	}
	if s.always {
		return cqrs.ErrConflict
	}
	return s.DocumentStore.Save(ctx, kind, id, data, version)
}

// TestSagaReRunsOnAStateAnotherInstanceMovedPast: while the saga handles a
// command, another instance stores a newer state of the entity; the save is
// refused, the handler runs again on the newer state, and both changes
// survive.
func TestSagaReRunsOnAStateAnotherInstanceMovedPast(t *testing.T) {
	shared := cqrs.NewMemoryStore()
	store := &interfering{DocumentStore: shared}
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Transport: newTransport(t), Listen: []string{"orders"}, EntityStore: store})
	require.NoError(t, err)
	registerOrderTypes(t, svc)
	saga := cqrs.NewSaga[Order](svc, "order")
	var runs atomic.Int64
	require.NoError(t, cqrs.Handle(saga, func(_ context.Context, o *Order, c CreateOrder, _ cqrs.Envelope) ([]any, error) {
		runs.Add(1)
		o.Amount += c.Amount
		o.Commands++
		return []any{OrderCreated{Amount: o.Amount}}, nil
	}))
	start(t, svc)
	store.before = func(ctx context.Context, kind, id string) {
		// The other instance applied a command of 100 first.
		state, err := json.Marshal(Order{Amount: 100, Commands: 1})
		require.NoError(t, err)
		other, err := json.Marshal(map[string]any{"state": state})
		require.NoError(t, err)
		require.NoError(t, shared.Save(ctx, kind, id, other, 0))
	}
	_, err = cqrs.NewAggregate(svc, "order").Send(context.Background(), "o-1", CreateOrder{Amount: 5})
	require.NoError(t, err)

	eventually(t, func() bool {
		o, found, err := saga.Load(context.Background(), "o-1")
		return err == nil && found && o.Commands == 2
	}, "the command is applied on top of the other instance's state")
	o, _, err := saga.Load(context.Background(), "o-1")
	require.NoError(t, err)
	assert.Equal(t, Order{Amount: 105, Commands: 2}, o, "neither change is lost")
	assert.Equal(t, int64(2), runs.Load(), "the handler ran again after the conflict")
}

// TestSagaGivesUpOnEndlessConflictsAndTheMessageIsRetried: a store that
// refuses every save makes the handling fail with ErrConflict, which is not a
// permanent failure, so the transport redelivers the message instead of
// dead-lettering it at once.
func TestSagaGivesUpOnEndlessConflictsAndTheMessageIsRetried(t *testing.T) {
	store := &interfering{DocumentStore: cqrs.NewMemoryStore(), always: true}
	var failures recorder[error]
	capture := func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			out, err := h(msg)
			if err != nil {
				failures.add(err)
			}
			return out, err
		}
	}
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Transport: newTransport(t), Listen: []string{"orders"},
		EntityStore: store, HandlerMiddleware: []message.HandlerMiddleware{capture}})
	require.NoError(t, err)
	registerOrderTypes(t, svc)
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), createOrder))
	start(t, svc)
	_, err = cqrs.NewAggregate(svc, "order").Send(context.Background(), "o-1", CreateOrder{Amount: 5})
	require.NoError(t, err)
	eventually(t, func() bool { return len(failures.all()) >= 2 }, "the message is delivered again after the first failure")
	for _, err := range failures.all() {
		assert.ErrorIs(t, err, cqrs.ErrConflict)
		assert.False(t, sourceflow.IsPermanent(err), "a conflict is retried, not dead-lettered at once")
	}
}
