package idempotency_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/internal/clocktest"
)

// TestMiddlewareCompletionReportsLostLease lets the lease run out while the
// handler runs without a renewal finding it lost (renewal disabled, or every
// renewal failing as against an unreachable store), and another delivery
// take the key over: the completion fails with ErrLeaseLost and reports it
// once as a lost lease (a duplicate may have run the handler), not as a
// failed completion.
func TestMiddlewareCompletionReportsLostLease(t *testing.T) {
	tests := []struct {
		name          string
		renewInterval time.Duration
		failExtend    int
	}{
		{"renewal disabled", -1, 0},
		{"every renewal fails", time.Millisecond, 1 << 30},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := newClock()
			store := &renewStore{MemoryStore: newMemoryStore(t, idempotency.MemoryStoreConfig{Clock: clock}), failExtend: tc.failExtend}
			logger := watermill.NewCaptureLogger()
			m := newMiddleware(t, store, idempotency.MiddlewareConfig{
				Consumer: "c", Lease: renewLease, RenewInterval: tc.renewInterval, Logger: logger,
			})
			k := idempotency.Key{Consumer: "c", MessageID: "0::a"}
			h := m.Middleware(func(*message.Message) ([]*message.Message, error) {
				clock.Advance(renewLease)
				res, err := store.Claim(context.Background(), k, "", renewLease)
				require.NoError(t, err)
				require.Equal(t, idempotency.Acquired, res.Status, "another delivery takes the key over")
				return nil, nil
			})

			_, err := h(sfMessage("a", "p"))

			require.ErrorIs(t, err, idempotency.ErrLeaseLost)
			assert.Equal(t, uint64(1), m.Stats().LeasesLost)
			assert.Zero(t, m.Stats().Completed)
			var lost int
			for _, l := range logger.Captured()[watermill.ErrorLogLevel] {
				if errors.Is(l.Err, idempotency.ErrLeaseLost) {
					lost++
					assert.Equal(t, "c/0::a", l.Fields["key"])
				}
			}
			assert.Equal(t, 1, lost, "the lost lease is logged once")
		})
	}
}

// TestMiddlewareLostLeaseAtCompletionIsNoStoreError: the store answered, so
// a completion refused for a lost lease is not counted as a store failure.
// takenOverWhileRunning is a handler during which the lease on key "a" of
// consumer "c" runs out and another delivery claims it.
func takenOverWhileRunning(clock *clocktest.Manual, store idempotency.Store) message.HandlerFunc {
	return func(*message.Message) ([]*message.Message, error) {
		clock.Advance(renewLease)
		_, err := store.Claim(context.Background(), idempotency.Key{Consumer: "c", MessageID: "0::a"}, "", renewLease)
		return nil, err
	}
}

func TestMiddlewareLostLeaseAtCompletionIsNoStoreError(t *testing.T) {
	clock := newClock()
	store := newMemoryStore(t, idempotency.MemoryStoreConfig{Clock: clock})
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{Consumer: "c", Lease: renewLease, RenewInterval: -1})
	h := m.Middleware(takenOverWhileRunning(clock, store))

	_, err := h(sfMessage("a", "p"))

	require.ErrorIs(t, err, idempotency.ErrLeaseLost)
	assert.Zero(t, m.Stats().StoreErrors)
}

// commitStore is a hand-written Transactor over a MemoryStore that collects
// the completion made in a transaction and makes it at the commit, as the
// DynamoDB store does.
type commitStore struct {
	*idempotency.MemoryStore
}

type pendingKey struct{}

type pending struct {
	key   idempotency.Key
	token string
	ttl   time.Duration
}

func (s commitStore) Complete(ctx context.Context, k idempotency.Key, token string, ttl time.Duration) error {
	if p, ok := ctx.Value(pendingKey{}).(*[]pending); ok {
		*p = append(*p, pending{k, token, ttl})
		return nil
	}
	return s.MemoryStore.Complete(ctx, k, token, ttl)
}

func (s commitStore) WithinTx(ctx context.Context, fn func(ctx context.Context) error) error {
	var writes []pending
	if err := fn(context.WithValue(ctx, pendingKey{}, &writes)); err != nil {
		return err
	}
	for _, w := range writes {
		if err := s.MemoryStore.Complete(ctx, w.key, w.token, w.ttl); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
	}
	return nil
}

// TestMiddlewareTransactionalCommitReportsLostLease: in transactional mode
// no renewal runs; a lease that ran out and was taken over while the
// handler ran fails the commit of the completion, which is reported as a
// lost lease and not counted as completed.
func TestMiddlewareTransactionalCommitReportsLostLease(t *testing.T) {
	clock := newClock()
	store := commitStore{newMemoryStore(t, idempotency.MemoryStoreConfig{Clock: clock})}
	logger := watermill.NewCaptureLogger()
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{
		Consumer: "c", Lease: renewLease, Transactional: true, Logger: logger,
		TxRetry: sourceflow.RetryPolicy{MaxRetries: -1},
	})
	h := m.Middleware(takenOverWhileRunning(clock, store))

	_, err := h(sfMessage("a", "p"))

	require.ErrorIs(t, err, idempotency.ErrLeaseLost)
	assert.Equal(t, uint64(1), m.Stats().LeasesLost)
	assert.Zero(t, m.Stats().StoreErrors)
	assert.Zero(t, m.Stats().Completed, "the completion did not commit")
	require.Len(t, logger.Captured()[watermill.ErrorLogLevel], 1)
	assert.ErrorIs(t, logger.Captured()[watermill.ErrorLogLevel][0].Err, idempotency.ErrLeaseLost)
}

// TestMiddlewareTransactionalCountsCommittedCompletions: a transactional
// handling counts as completed when its transaction commits, and a
// duplicate does not.
func TestMiddlewareTransactionalCountsCommittedCompletions(t *testing.T) {
	store := commitStore{newMemoryStore(t, idempotency.MemoryStoreConfig{})}
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{Consumer: "c", Transactional: true})
	rec := newRecorder()
	h := m.Middleware(rec.handle)
	for range 2 {
		_, err := h(sfMessage("a", "p"))
		require.NoError(t, err)
	}
	assert.Equal(t, 1, rec.count("a"))
	assert.Equal(t, uint64(1), m.Stats().Completed)
	assert.Equal(t, uint64(1), m.Stats().Duplicates)
}

// TestMiddlewareTransactionalHandlerErrorWrappingLeaseLostIsTheHandlers: a
// handler's own error that wraps ErrLeaseLost (a nested handling's lost
// lease, say) is the handler's failure, returned as it is and rolled back;
// the middleware's own lease was not lost, so no lost lease is logged or
// counted.
func TestMiddlewareTransactionalHandlerErrorWrappingLeaseLostIsTheHandlers(t *testing.T) {
	store := commitStore{newMemoryStore(t, idempotency.MemoryStoreConfig{})}
	logger := watermill.NewCaptureLogger()
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{
		Consumer: "c", Transactional: true, Logger: logger,
		TxRetry: sourceflow.RetryPolicy{MaxRetries: -1},
	})
	h := m.Middleware(func(*message.Message) ([]*message.Message, error) {
		return nil, fmt.Errorf("nested handling: %w", idempotency.ErrLeaseLost)
	})

	_, err := h(sfMessage("a", "p"))

	require.ErrorContains(t, err, "nested handling")
	require.ErrorIs(t, err, idempotency.ErrLeaseLost, "the handler's error is returned as it is")
	st := m.Stats()
	assert.Zero(t, st.LeasesLost, "the middleware's lease was not lost")
	assert.Zero(t, st.Completed)
	assert.Equal(t, uint64(1), st.Claims)
	assert.Empty(t, logger.Captured()[watermill.ErrorLogLevel], "no lost lease is logged")
}

// TestMiddlewareTransactionalCompletionReportsLostLease: with a store whose
// completion in the transaction finds the lease lost at once (as a SQL
// store does), the handling still reports its own lost lease.
func TestMiddlewareTransactionalCompletionReportsLostLease(t *testing.T) {
	clock := newClock()
	store := &txStore{MemoryStore: newMemoryStore(t, idempotency.MemoryStoreConfig{Clock: clock})}
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{
		Consumer: "c", Lease: renewLease, Transactional: true,
		TxRetry: sourceflow.RetryPolicy{MaxRetries: -1},
	})

	_, err := m.Middleware(takenOverWhileRunning(clock, store))(sfMessage("a", "p"))

	require.ErrorIs(t, err, idempotency.ErrLeaseLost)
	assert.Equal(t, uint64(1), m.Stats().LeasesLost)
	assert.Zero(t, m.Stats().Completed)
}
