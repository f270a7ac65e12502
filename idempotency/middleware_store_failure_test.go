package idempotency_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
)

// flakyStore fails the first failComplete Complete calls.
type flakyStore struct {
	*idempotency.MemoryStore
	mu           sync.Mutex
	failComplete int
}

func (s *flakyStore) Complete(ctx context.Context, k idempotency.Key, token string, ttl time.Duration) error {
	s.mu.Lock()
	fail := s.failComplete > 0
	if fail {
		s.failComplete--
	}
	s.mu.Unlock()
	if fail {
		return errors.New("connection reset")
	}
	return s.MemoryStore.Complete(ctx, k, token, ttl)
}

func TestMiddlewareRetriesComplete(t *testing.T) {
	tests := []struct {
		name      string
		failures  int
		wantErr   bool
		wantState idempotency.ClaimStatus
	}{
		{"transient failure recorded on retry", 2, false, idempotency.Completed},
		{"persistent failure surfaces", 3, true, idempotency.InProgress},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := &flakyStore{MemoryStore: newMemoryStore(t, idempotency.MemoryStoreConfig{}), failComplete: tc.failures}
			m := newMiddleware(t, store, idempotency.MiddlewareConfig{Consumer: "c"})
			rec := newRecorder()
			_, err := m.Middleware(rec.handle)(sfMessage("a", "p"))
			if tc.wantErr {
				require.ErrorContains(t, err, "connection reset")
				assert.Equal(t, uint64(1), m.Stats().StoreErrors)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, 1, rec.count("a"))
			res, err := store.Claim(context.Background(), idempotency.Key{Consumer: "c", MessageID: "0::a"}, "", time.Minute)
			require.NoError(t, err)
			assert.Equal(t, tc.wantState, res.Status)
		})
	}
}

// keyLimitStore refuses message ids longer than 8 bytes, as SQL stores
// refuse keys longer than their columns.
type keyLimitStore struct{ *idempotency.MemoryStore }

func (s keyLimitStore) Claim(ctx context.Context, k idempotency.Key, h string, lease time.Duration) (idempotency.ClaimResult, error) {
	if len(k.MessageID) > 8 {
		return idempotency.ClaimResult{}, fmt.Errorf("%w: too long", idempotency.ErrInvalidKey)
	}
	return s.MemoryStore.Claim(ctx, k, h, lease)
}

func TestMiddlewareInvalidKeyIsPermanent(t *testing.T) {
	m := newMiddleware(t, keyLimitStore{newMemoryStore(t, idempotency.MemoryStoreConfig{})}, idempotency.MiddlewareConfig{Consumer: "c"})
	rec := newRecorder()
	h := m.Middleware(rec.handle)
	_, err := h(sfMessage("far-too-long-id", "p"))
	require.ErrorIs(t, err, idempotency.ErrInvalidKey)
	assert.True(t, sourceflow.IsPermanent(err))
	_, err = h(sfMessage("short", "p"))
	require.NoError(t, err, "later messages are still processed")
	assert.Equal(t, 1, rec.count("short"))
}
