package idempotency_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/internal/clocktest"
)

// failingFirstTx is a Transactor over a MemoryStore whose first transaction
// fails to begin (a transient failure: the unit of work never runs).
type failingFirstTx struct {
	*idempotency.MemoryStore
	begun atomic.Int64
}

func (s *failingFirstTx) WithinTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if s.begun.Add(1) == 1 {
		return errors.New("connection reset")
	}
	return fn(ctx)
}

// The wait before a handling runs again in a new transaction is taken on
// MiddlewareConfig.Clock: on a stepping clock an hour's wait passes at once.
func TestTxRetryWaitsOnTheConfiguredClock(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := clocktest.NewStepping(start)
	store := &failingFirstTx{MemoryStore: newMemoryStore(t, idempotency.MemoryStoreConfig{})}
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{
		Consumer: "c", Transactional: true, Clock: clock,
		TxRetry: sourceflow.RetryPolicy{MaxRetries: 1, InitialInterval: time.Hour, MaxInterval: time.Hour, MaxElapsed: 2 * time.Hour},
	})
	h := m.Middleware(func(*message.Message) ([]*message.Message, error) { return nil, nil })
	done := make(chan error, 1)
	go func() {
		_, err := h(sfMessage("a", "p"))
		done <- err
	}()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		require.FailNow(t, "the retry waits on the system clock, not on MiddlewareConfig.Clock")
	}
	assert.Equal(t, []time.Duration{time.Hour}, clock.Waits())
	assert.Equal(t, start.Add(time.Hour), clock.Now())
	assert.Equal(t, int64(2), store.begun.Load())
	assert.Equal(t, uint64(1), m.Stats().TxRetries)
}

// A typed nil Clock is refused, naming the field.
func TestMiddlewareConfigRefusesATypedNilClock(t *testing.T) {
	err := idempotency.MiddlewareConfig{Clock: (*clocktest.Manual)(nil)}.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Clock: nil *clocktest.Manual")
}
