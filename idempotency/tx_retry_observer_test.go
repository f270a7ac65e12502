package idempotency_test

import (
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/internal/clocktest"
)

// Each handling TxRetry runs again in a new transaction is reported to the
// retried-run observer of the message's context (the tracing middleware's),
// with its number and error; the run that succeeds is not.
func TestTxRetryReportsEachRetriedRun(t *testing.T) {
	clock := clocktest.NewStepping(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	store := &failingFirstTx{MemoryStore: newMemoryStore(t, idempotency.MemoryStoreConfig{})}
	m := newMiddleware(t, store, idempotency.MiddlewareConfig{
		Consumer: "c", Transactional: true, Clock: clock,
		TxRetry: sourceflow.RetryPolicy{MaxRetries: 1, InitialInterval: time.Second, MaxInterval: time.Second, MaxElapsed: time.Minute},
	})
	type observed struct {
		run int
		err string
	}
	var runs []observed
	msg := sfMessage("a", "p")
	msg.SetContext(sourceflow.WithRetriedRunObserver(msg.Context(), func(run int, err error) {
		runs = append(runs, observed{run, err.Error()})
	}))

	_, err := m.Middleware(func(*message.Message) ([]*message.Message, error) { return nil, nil })(msg)

	require.NoError(t, err)
	assert.Equal(t, []observed{{1, "connection reset"}}, runs)
}
