package sqlstore_test

import (
	"errors"
	"sync/atomic"
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

// heldPublisher is a transport whose publish reports on entered, then waits
// for release and succeeds.
type heldPublisher struct{ entered, release chan struct{} }

func (p heldPublisher) Publish(string, ...*message.Message) error {
	p.entered <- struct{}{}
	<-p.release
	return nil
}
func (heldPublisher) Close() error { return nil }

// upPublisher is a transport whose every publish succeeds; it counts them.
type upPublisher struct{ calls *atomic.Int64 }

func (p upPublisher) Publish(string, ...*message.Message) error { p.calls.Add(1); return nil }
func (upPublisher) Close() error                                { return nil }

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

// A handling whose publish meets a half-open circuit, its probe publish in
// flight, is run again in a new transaction: the refusal clears once the
// probe returns, and the rerun publishes through the closed circuit.
func TestAHalfOpenCircuitsRefusalIsRetried(t *testing.T) {
	breaker, err := middleware.NewCircuitBreaker(middleware.CircuitBreakerConfig{ConsecutiveFailures: 1, OpenTimeout: 20 * time.Millisecond})
	require.NoError(t, err)
	decorate := func(p message.Publisher) message.Publisher {
		dec, err := breaker.DecoratePublisher(p)
		require.NoError(t, err)
		return dec
	}
	require.ErrorIs(t, decorate(downPublisher{}).Publish("orders", message.NewMessage("m", nil)), errDown, "the failure opens the circuit")
	require.Eventually(t, func() bool { return breaker.State("orders") == sourceflow.CircuitHalfOpen },
		5*time.Second, 5*time.Millisecond)
	held := heldPublisher{entered: make(chan struct{}), release: make(chan struct{})}
	probe := make(chan error, 1)
	go func() { probe <- decorate(held).Publish("orders", message.NewMessage("probe", nil)) }()
	<-held.entered // the probe is in the transport
	var calls atomic.Int64
	pub := decorate(upPublisher{calls: &calls})
	five := sourceflow.RetryPolicy{MaxRetries: 5, InitialInterval: time.Millisecond}
	m, err := idempotency.NewMiddleware(openStore(t, sourceflow.SQLite, "", sqlstore.Config{}),
		idempotency.MiddlewareConfig{Consumer: "c", Transactional: true, TxRetry: five})
	require.NoError(t, err)
	var errs []error // the error of every run, in order
	h := m.Middleware(func(*message.Message) ([]*message.Message, error) {
		err := pub.Publish("orders", message.NewMessage("out", nil))
		errs = append(errs, err)
		if len(errs) == 1 {
			close(held.release)
			require.NoError(t, <-probe, "the probe closes the circuit")
		}
		return nil, err
	})

	_, err = h(txMessage("a"))

	require.NoError(t, err)
	require.Len(t, errs, 2, "the refused run, then the rerun")
	require.ErrorIs(t, errs[0], sourceflow.ErrCircuitHalfOpen)
	assert.Equal(t, uint64(1), m.Stats().TxRetries)
	assert.Equal(t, int64(1), calls.Load(), "the rerun's publish reached the transport")
}

// A handling that publishes to two destinations and joins their errors, one
// an open circuit's refusal and one a half-open circuit's, is not run
// again in a new transaction: the open circuit refuses until its cool-down
// ends, whatever the other refusal, so the redelivery runs it again.
func TestAnOpenCircuitJoinedWithAHalfOpenOneIsLeftToTheRedelivery(t *testing.T) {
	breaker, err := middleware.NewCircuitBreaker(middleware.CircuitBreakerConfig{ConsecutiveFailures: 1, OpenTimeout: time.Hour})
	require.NoError(t, err)
	open, err := breaker.DecoratePublisher(downPublisher{})
	require.NoError(t, err)
	require.ErrorIs(t, open.Publish("orders", message.NewMessage("m", nil)), errDown, "the failure opens the circuit")
	halfOpen := halfOpenWithProbeInFlight(t, "payments")
	m, err := idempotency.NewMiddleware(openStore(t, sourceflow.SQLite, "", sqlstore.Config{}),
		idempotency.MiddlewareConfig{Consumer: "c", Transactional: true,
			TxRetry: sourceflow.RetryPolicy{MaxRetries: 5, InitialInterval: time.Millisecond}})
	require.NoError(t, err)
	runs := 0
	h := m.Middleware(func(*message.Message) ([]*message.Message, error) {
		runs++
		return nil, errors.Join(halfOpen.Publish("payments", message.NewMessage("out", nil)),
			open.Publish("orders", message.NewMessage("out", nil)))
	})

	_, err = h(txMessage("a"))

	require.ErrorIs(t, err, sourceflow.ErrCircuitHalfOpen)
	require.ErrorIs(t, err, middleware.ErrCircuitOpen)
	assert.Equal(t, 1, runs, "not run again in a new transaction: the open circuit would refuse again")
	assert.Zero(t, m.Stats().TxRetries)
}

// halfOpenWithProbeInFlight returns a publisher through a circuit breaker
// whose circuit of topic is half-open, its probe publish held in the
// transport until the test ends.
func halfOpenWithProbeInFlight(t *testing.T, topic string) message.Publisher {
	t.Helper()
	breaker, err := middleware.NewCircuitBreaker(middleware.CircuitBreakerConfig{ConsecutiveFailures: 1, OpenTimeout: 20 * time.Millisecond})
	require.NoError(t, err)
	down, err := breaker.DecoratePublisher(downPublisher{})
	require.NoError(t, err)
	require.ErrorIs(t, down.Publish(topic, message.NewMessage("m", nil)), errDown, "the failure opens the circuit")
	require.Eventually(t, func() bool { return breaker.State(topic) == sourceflow.CircuitHalfOpen },
		5*time.Second, 5*time.Millisecond)
	held := heldPublisher{entered: make(chan struct{}), release: make(chan struct{})}
	pub, err := breaker.DecoratePublisher(held)
	require.NoError(t, err)
	probe := make(chan error, 1)
	go func() { probe <- pub.Publish(topic, message.NewMessage("probe", nil)) }()
	<-held.entered // the probe is in the transport
	t.Cleanup(func() {
		close(held.release)
		<-probe
	})
	return pub
}
