package cqrs_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// txOutcomes begins numbered transactions and records whether each
// committed.
type txOutcomes struct {
	n         atomic.Int64
	committed sync.Map // tx id → bool
}

func (o *txOutcomes) WithinTx(ctx context.Context, fn func(context.Context) error) error {
	if txID(ctx) != 0 {
		return fn(ctx)
	}
	id := o.n.Add(1)
	err := fn(context.WithValue(ctx, txIDKey{}, id))
	o.committed.Store(id, err == nil)
	return err
}

func (o *txOutcomes) JoinsTransaction(ctx context.Context) bool { return txID(ctx) != 0 }

func (o *txOutcomes) didCommit(id int64) bool {
	v, _ := o.committed.Load(id)
	return v == true
}

// conflictingDocs refuses the first save of kind "order" as another
// instance's newer save would.
type conflictingDocs struct {
	cqrs.DocumentStore
	*txOutcomes
	conflicts *atomic.Int32
}

func (s conflictingDocs) Save(ctx context.Context, kind, id string, data []byte, version int64) error {
	if kind == "order" && s.conflicts.Add(-1) >= 0 {
		return cqrs.ErrConflict
	}
	return s.DocumentStore.Save(ctx, kind, id, data, version)
}

type outboxCommands struct {
	*cqrs.MemoryCommandStore
	*txOutcomes
}

// A saga run whose save conflicts inside the outbox transaction must not
// commit what it sent: the transaction rolls back and the re-run, which
// may decide differently, sends in a transaction of its own.
func TestOutboxTransactionRunsAgainWholeAfterAConflict(t *testing.T) {
	channel, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = channel.Close() })
	tx := &txOutcomes{}
	conflicts := &atomic.Int32{}
	conflicts.Store(1)
	var published recorder[[2]any]
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "orders", Listen: []string{"orders", "payments"},
		Transport:    txOutbox{ChannelTransport: channel, outbox: true, published: &published},
		EntityStore:  conflictingDocs{DocumentStore: cqrs.NewMemoryStore(), txOutcomes: tx, conflicts: conflicts},
		CommandStore: outboxCommands{MemoryCommandStore: cqrs.NewMemoryCommandStore(), txOutcomes: tx}})
	require.NoError(t, err)
	registerOrderTypes(t, svc)
	payments := cqrs.NewAggregate(svc, "payment")
	var runs atomic.Int32
	var paid recorder[int]
	require.NoError(t, errors.Join(
		cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), func(ctx context.Context, o *Order, c CreateOrder, env cqrs.Envelope) ([]any, error) {
			_, err := payments.Send(ctx, env.EntityID, ProcessPayment{Amount: int(runs.Add(1))}) // the re-run decides differently
			return nil, err
		}),
		cqrs.Handle(cqrs.NewSaga[Order](svc, "payment"), func(_ context.Context, o *Order, c ProcessPayment, _ cqrs.Envelope) ([]any, error) {
			paid.add(c.Amount)
			return nil, nil
		}),
	))
	require.NoError(t, svc.Start(context.Background()))
	t.Cleanup(func() { _ = svc.Close() })
	_, err = cqrs.NewAggregate(svc, "order").Send(context.Background(), "o-1", CreateOrder{Amount: 1})
	require.NoError(t, err)
	eventually(t, func() bool { return len(paid.all()) >= 1 && runs.Load() == 2 }, "the order saga ran twice and a payment was handled")

	var inTx []int64 // the transaction of each payment sent, in order
	for _, p := range published.all() {
		if p[0] == "payments.ProcessPayment" {
			inTx = append(inTx, p[1].(int64))
		}
	}
	require.Len(t, inTx, 2, "each run sent its payment")
	assert.NotEqual(t, inTx[0], inTx[1], "the re-run sends in a transaction of its own")
	assert.False(t, tx.didCommit(inTx[0]), "the conflicting run's transaction, with its send, rolled back")
	assert.True(t, tx.didCommit(inTx[1]), "the re-run's send committed")
}
