package idempotency_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
)

type txKey struct{}

// txStore is a hand-written Transactor over a MemoryStore that records
// commits and rollbacks and marks the context passed to the unit of work.
type txStore struct {
	*idempotency.MemoryStore
	mu                 sync.Mutex
	commits, rollbacks int
	releasesInsideTx   int
	extends            int
}

func (s *txStore) Extend(ctx context.Context, k idempotency.Key, token string, lease time.Duration) error {
	s.mu.Lock()
	s.extends++
	s.mu.Unlock()
	return s.MemoryStore.Extend(ctx, k, token, lease)
}

func (s *txStore) WithinTx(ctx context.Context, fn func(ctx context.Context) error) error {
	err := fn(context.WithValue(ctx, txKey{}, "tx"))
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.rollbacks++
		return err
	}
	s.commits++
	return nil
}

func (s *txStore) Release(ctx context.Context, k idempotency.Key, token string) error {
	s.mu.Lock()
	s.releasesInsideTx++
	s.mu.Unlock()
	return s.MemoryStore.Release(ctx, k, token)
}

func TestMiddlewareTransactional(t *testing.T) {
	store := &txStore{MemoryStore: newMemoryStore(t, idempotency.MemoryStoreConfig{})}
	// TxRetry off: the fake's rollback undoes nothing, so a retry would
	// meet its own claim.
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{Consumer: "c", Transactional: true,
		TxRetry: sourceflow.RetryPolicy{MaxRetries: -1}})
	var sawTx []any
	fail := true
	h := m.Middleware(func(msg *message.Message) ([]*message.Message, error) {
		sawTx = append(sawTx, msg.Context().Value(txKey{}))
		if fail {
			fail = false
			return nil, errors.New("boom")
		}
		return nil, nil
	})

	_, err := h(sfMessage("a", "p"))
	require.ErrorContains(t, err, "boom")
	assert.Equal(t, 1, store.rollbacks, "a handler failure rolls back")
	assert.Zero(t, store.releasesInsideTx, "the rollback releases; no separate Release call")

	// The fake's rollback undoes nothing, so the claim is still held: proof
	// that the middleware left the release to the transaction.
	_, err = h(sfMessage("a", "p"))
	require.ErrorIs(t, err, idempotency.ErrInProgress)

	_, err = h(sfMessage("b", "p"))
	require.NoError(t, err)
	assert.Equal(t, 1, store.commits)
	assert.Equal(t, []any{"tx", "tx"}, sawTx, "the handler sees the transaction's context")
}

// TestMiddlewareTransactionalDoesNotRenew: inside a transaction the claim row
// is held by the transaction's lock, so no renewal runs even when the handler
// outlasts many renewal intervals.
func TestMiddlewareTransactionalDoesNotRenew(t *testing.T) {
	store := &txStore{MemoryStore: newMemoryStore(t, idempotency.MemoryStoreConfig{})}
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{
		Consumer: "c", Transactional: true, Lease: time.Second, RenewInterval: time.Millisecond,
	})
	_, err := m.Middleware(func(*message.Message) ([]*message.Message, error) {
		time.Sleep(50 * time.Millisecond) // fifty renewal intervals
		return nil, nil
	})(sfMessage("a", "p"))
	require.NoError(t, err)
	store.mu.Lock()
	defer store.mu.Unlock()
	assert.Zero(t, store.extends)
	assert.Zero(t, m.Stats().Renewals)
	assert.Equal(t, 1, store.commits)
}
