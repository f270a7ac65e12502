package idempotency_test

import (
	"context"
	"errors"
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

// rollbackStore is a Transactor over a MemoryStore that counts commits and
// rollbacks; as dynamostore's, its claims are written outside the
// transaction, so a rollback reports them held (idempotency.ErrClaimHeld).
type rollbackStore struct {
	*idempotency.MemoryStore
	commits, rollbacks int
}

func (s *rollbackStore) WithinTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if err := fn(context.WithValue(ctx, txKey{}, "tx")); err != nil { // a new transaction, not a join
		s.rollbacks++
		return errors.Join(err, idempotency.ErrClaimHeld)
	}
	s.commits++
	return nil
}

// A transactional handling that fails with a hinted error
// (sourceflow.RetryAfter) runs again in a new transaction after at least
// the hint, while the hint ends within TxRetry's MaxElapsed (the default
// 10 s); a hint that would end past it is returned at once, hint kept for
// the transport's redelivery, its claim released.
func TestTxRetryHonoursARetryAfterHint(t *testing.T) {
	refused := errors.New("kms: key disabled")
	hint := func(d time.Duration) error { return sourceflow.RetryAfter(refused, d) }
	tests := []struct {
		name      string
		errs      []error // the handler's errors, run by run
		wantRuns  int
		wantWaits []time.Duration
		wantHint  time.Duration // of the error returned; zero for success
	}{
		{name: "a hint that fits is waited", errs: []error{hint(3 * time.Second)},
			wantRuns: 2, wantWaits: []time.Duration{3 * time.Second}},
		{name: "a hint past MaxElapsed returns at once", errs: []error{hint(time.Minute)},
			wantRuns: 1, wantHint: time.Minute},
		{name: "hints wait until the next would pass MaxElapsed",
			errs:     []error{hint(4 * time.Second), hint(4 * time.Second), hint(4 * time.Second)},
			wantRuns: 3, wantWaits: []time.Duration{4 * time.Second, 4 * time.Second}, wantHint: 4 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := clocktest.NewStepping(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
			store := &rollbackStore{MemoryStore: newMemoryStore(t, idempotency.MemoryStoreConfig{})}
			m := newMiddleware(t, store, idempotency.MiddlewareConfig{Consumer: "c", Transactional: true, Clock: clock})
			runs := 0
			h := m.Middleware(func(*message.Message) ([]*message.Message, error) {
				runs++
				if runs <= len(tt.errs) {
					return nil, tt.errs[runs-1]
				}
				return nil, nil
			})

			_, err := h(sfMessage("a", "p"))

			assert.Equal(t, tt.wantRuns, runs)
			assert.Equal(t, tt.wantWaits, clock.Waits())
			assert.Equal(t, uint64(len(tt.wantWaits)), m.Stats().TxRetries)
			assert.Equal(t, len(tt.errs), store.rollbacks, "every failed run rolled back")
			if tt.wantHint == 0 {
				require.NoError(t, err)
				assert.Equal(t, 1, store.commits)
				return
			}
			require.ErrorIs(t, err, refused)
			d, ok := sourceflow.RetryAfterOf(err)
			assert.True(t, ok, "the hint is kept for the transport")
			assert.Equal(t, tt.wantHint, d)
			assert.Zero(t, store.commits)
			_, err = h(sfMessage("a", "p"))
			require.NoError(t, err, "the held claim was released: the redelivery runs at once")
			assert.Equal(t, tt.wantRuns+1, runs)
		})
	}
}

// A message context that ends during a long hinted wait ends the wait at
// once: the handling's error comes back, hint kept, its held claim
// released, and no new transaction begins.
func TestTxRetryContextEndsAHintedWait(t *testing.T) {
	clock := clocktest.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) // After waits on the real clock
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clock.OnAfter(func(time.Duration) { cancel() })
	store := &rollbackStore{MemoryStore: newMemoryStore(t, idempotency.MemoryStoreConfig{})}
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{Consumer: "c", Transactional: true, Clock: clock})
	refused := errors.New("kms: key disabled")
	runs := 0
	h := m.Middleware(func(*message.Message) ([]*message.Message, error) {
		runs++
		if runs == 1 {
			return nil, sourceflow.RetryAfter(refused, 9*time.Second)
		}
		return nil, nil
	})
	msg := sfMessage("a", "p")
	msg.SetContext(ctx)

	_, err := h(msg)

	require.ErrorIs(t, err, refused)
	d, ok := sourceflow.RetryAfterOf(err)
	assert.True(t, ok, "the hint is kept for the transport")
	assert.Equal(t, 9*time.Second, d)
	assert.Equal(t, 1, runs, "no transaction after the context ended")
	assert.Equal(t, []time.Duration{9 * time.Second}, clock.Waits())
	assert.Zero(t, m.Stats().TxRetries)
	_, err = h(sfMessage("a", "p"))
	require.NoError(t, err, "the held claim was released: the redelivery runs at once")
	assert.Equal(t, 2, runs)
}

// A hinted failure whose delay would pass TxRetry's MaxElapsed, returned
// at once, is logged at Info level, so an operator sees why the message
// went back to the transport without a retry.
func TestTxRetryLogsAHintLeftToTheTransport(t *testing.T) {
	logger := watermill.NewCaptureLogger()
	clock := clocktest.NewStepping(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	store := &rollbackStore{MemoryStore: newMemoryStore(t, idempotency.MemoryStoreConfig{})}
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{Consumer: "c", Transactional: true, Clock: clock, Logger: logger})
	hinted := sourceflow.RetryAfter(errors.New("kms: key disabled"), 3*time.Minute+45*time.Second)

	_, err := m.Middleware(func(*message.Message) ([]*message.Message, error) { return nil, hinted })(sfMessage("a", "p"))

	require.ErrorIs(t, err, hinted)
	logged := logger.Captured()[watermill.InfoLogLevel]
	require.Len(t, logged, 1)
	assert.Contains(t, logged[0].Msg, "hinted delay passes TxRetry's MaxElapsed")
	assert.Equal(t, "3m45s", logged[0].Fields["retry_after"])
	assert.Equal(t, "10s", logged[0].Fields["max_elapsed"])
	assert.Equal(t, 1, logged[0].Fields["attempt"])
	assert.NotEmpty(t, logged[0].Fields["message_id"])
}
