package idempotency_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
)

// heldClaimStore is a Transactor over a MemoryStore whose claims, as
// dynamostore's, are written outside the transaction, and whose rollback
// could not release them (idempotency.ErrClaimHeld); its first lookup
// fails.
type heldClaimStore struct {
	*idempotency.MemoryStore
	lookups int
}

func (s *heldClaimStore) Lookup(ctx context.Context, k idempotency.Key, hash string) (bool, error) {
	s.lookups++
	if s.lookups == 1 {
		return false, errors.New("throttled")
	}
	return s.MemoryStore.Lookup(ctx, k, hash)
}

func (s *heldClaimStore) WithinTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if err := fn(context.WithValue(ctx, txKey{}, "tx")); err != nil {
		return errors.Join(err, idempotency.ErrClaimHeld)
	}
	return nil
}

// In transactional mode, a handling whose lookup of the previous release's
// key failed, and whose rollback left its claim held, releases that claim
// before it runs again in a new transaction, as after a handler failure:
// the rerun acquires the claim and handles the message at once, instead of
// finding it in progress until the lease runs out.
func TestUpgradeLegacyLookupFailureInATransactionReleasesTheHeldClaim(t *testing.T) {
	store := &heldClaimStore{MemoryStore: newMemoryStore(t, idempotency.MemoryStoreConfig{})}
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{Consumer: "c", Transactional: true,
		LegacyKeysUntil: time.Now().Add(time.Hour),
		TxRetry:         sourceflow.RetryPolicy{MaxRetries: 1, InitialInterval: time.Millisecond, MaxInterval: time.Millisecond}})
	rec := newRecorder()
	_, err := m.Middleware(rec.handle)(typedMessage(legacyType, "m-1", "p"))
	require.NoError(t, err, "%+v lookups=%d", m.Stats(), store.lookups)
	assert.Equal(t, 1, rec.count("m-1"), "the rerun did not handle the message")
	assert.Equal(t, uint64(1), m.Stats().Released)
	assert.Equal(t, uint64(1), m.Stats().Completed)
}
