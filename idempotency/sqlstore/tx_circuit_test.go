package sqlstore_test

import (
	"errors"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
	"github.com/sourceflow-go/sourceflow/middleware"
)

var errDown = errors.New("endpoint down")

// downPublisher is a transport whose every publish fails.
type downPublisher struct{}

func (downPublisher) Publish(string, ...*message.Message) error { return errDown }
func (downPublisher) Close() error                              { return nil }

// A handling whose publish meets an open circuit is not run again, neither
// in a new transaction nor by Retry inside it, however many retries both
// allow: the circuit refuses until its cool-down ends, so the failure goes
// back to the transport, and the redelivery runs the handling again.
func TestAnOpenCircuitIsLeftToTheRedelivery(t *testing.T) {
	breaker, err := middleware.NewCircuitBreaker(middleware.CircuitBreakerConfig{ConsecutiveFailures: 1, OpenTimeout: time.Hour})
	require.NoError(t, err)
	pub, err := breaker.DecoratePublisher(downPublisher{})
	require.NoError(t, err)
	require.ErrorIs(t, pub.Publish("orders", message.NewMessage("m", nil)), errDown, "the failure opens the circuit")
	five := sourceflow.RetryPolicy{MaxRetries: 5, InitialInterval: time.Millisecond}
	m, err := idempotency.NewMiddleware(openStore(t, sourceflow.SQLite, "", sqlstore.Config{}),
		idempotency.MiddlewareConfig{Consumer: "c", Transactional: true, TxRetry: five})
	require.NoError(t, err)
	retry, err := middleware.NewRetry(middleware.RetryConfig{Policy: five})
	require.NoError(t, err)
	runs := 0
	h := m.Middleware(retry(func(*message.Message) ([]*message.Message, error) {
		runs++
		return nil, pub.Publish("orders", message.NewMessage("out", nil))
	}))

	_, err = h(txMessage("a"))

	require.ErrorIs(t, err, middleware.ErrCircuitOpen)
	assert.False(t, sourceflow.IsPermanent(err), "redelivered, not dead-lettered")
	assert.Equal(t, 1, runs, "run once in the delivery")
	assert.Zero(t, m.Stats().TxRetries)

	_, err = h(txMessage("a"))

	require.ErrorIs(t, err, middleware.ErrCircuitOpen, "the rollback released the claim: the redelivery runs it")
	assert.Equal(t, 2, runs)
}
