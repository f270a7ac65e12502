package middleware_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware"
)

// A handler whose publish meets an open circuit runs once per delivery,
// however many retries the policy allows: its message is nacked and
// redelivered, and handled once the handler succeeds. gochannel hands every
// delivery a new copy of the message, so the copies tell deliveries apart.
func TestRetry_LeavesAnOpenCircuitToTheRedelivery(t *testing.T) {
	fake := newFlaky()
	fake.set("orders", errDown)
	_, out := newBreaker(t, middleware.CircuitBreakerConfig{ConsecutiveFailures: 1, OpenTimeout: time.Hour}, fake)
	require.ErrorIs(t, publish(out, "orders"), errDown, "the failure opens the circuit")

	logger := watermill.NopLogger{}
	ps := gochannel.NewGoChannel(gochannel.Config{BlockPublishUntilSubscriberAck: true}, logger)
	router, err := message.NewRouter(message.RouterConfig{}, logger)
	require.NoError(t, err)
	retry, err := middleware.NewRetry(middleware.RetryConfig{Policy: sourceflow.RetryPolicy{
		MaxRetries: 5, InitialInterval: time.Microsecond}})
	require.NoError(t, err)
	router.AddMiddleware(middleware.Recover, retry)
	var mu sync.Mutex
	var runs []*message.Message // the delivery of every run, in order
	router.AddConsumerHandler("h", "in", ps, func(msg *message.Message) error {
		mu.Lock()
		runs = append(runs, msg)
		n := len(runs)
		mu.Unlock()
		if n < 3 {
			return publish(out, "orders")
		}
		return nil
	})
	runRouter(t, router)

	require.NoError(t, ps.Publish("in", message.NewMessage("m", nil)))

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, runs, 3, "two failed deliveries, then the handled one")
	assert.NotSame(t, runs[0], runs[1], "the second run is a redelivery, not a retry")
	assert.NotSame(t, runs[1], runs[2], "the third run is a redelivery, not a retry")
	assert.Equal(t, 1, fake.count("orders"), "the open circuit never called the transport")
}

// A handler whose publish meets a half-open circuit, its probe publish in
// flight, is run again in process: the refusal clears once the probe
// returns, and the retry publishes through the closed circuit.
func TestRetry_RetriesAHalfOpenCircuitsRefusal(t *testing.T) {
	fake := newFlaky()
	b, out := newBreaker(t, middleware.CircuitBreakerConfig{ConsecutiveFailures: 1, OpenTimeout: 20 * time.Millisecond}, fake)
	fake.set("orders", errDown)
	require.ErrorIs(t, publish(out, "orders"), errDown, "the failure opens the circuit")
	require.Eventually(t, func() bool { return b.State("orders") == sourceflow.CircuitHalfOpen },
		5*time.Second, 5*time.Millisecond)
	fake.set("orders", nil)
	release := fake.hold()
	probe := make(chan error, 1)
	go func() { probe <- publish(out, "orders") }()
	<-fake.entered // the probe is in the transport

	retry, err := middleware.NewRetry(middleware.RetryConfig{Policy: sourceflow.RetryPolicy{
		MaxRetries: 5, InitialInterval: time.Microsecond}})
	require.NoError(t, err)
	var errs []error // the error of every run, in order
	h := retry(func(*message.Message) ([]*message.Message, error) {
		err := publish(out, "orders")
		errs = append(errs, err)
		if len(errs) == 1 {
			release()
			require.NoError(t, <-probe, "the probe closes the circuit")
		}
		return nil, err
	})

	_, err = h(message.NewMessage("m", nil))

	require.NoError(t, err)
	require.Len(t, errs, 2, "the refused run, then the retry")
	require.ErrorIs(t, errs[0], middleware.ErrCircuitOpen, "the half-open refusal still matches ErrCircuitOpen")
	require.ErrorIs(t, errs[0], sourceflow.ErrCircuitHalfOpen)
	assert.Equal(t, 3, fake.count("orders"), "the failure, the probe and the retried publish")
}

// A handler that publishes to two destinations and joins their errors, one
// an open circuit's refusal and one a half-open circuit's, runs once per
// delivery: the open circuit refuses until its OpenTimeout ends, whatever
// the other refusal, so the message goes back to the transport.
func TestRetry_LeavesAnOpenCircuitJoinedWithAHalfOpenOneToTheRedelivery(t *testing.T) {
	fake := newFlaky()
	fake.set("orders", errDown)
	fake.set("payments", errDown)
	_, open := newBreaker(t, middleware.CircuitBreakerConfig{ConsecutiveFailures: 1, OpenTimeout: time.Hour}, fake)
	require.ErrorIs(t, publish(open, "orders"), errDown, "the failure opens the circuit")
	halfOpen := halfOpenWithProbeInFlight(t, fake, "payments")

	retry, err := middleware.NewRetry(middleware.RetryConfig{Policy: sourceflow.RetryPolicy{
		MaxRetries: 5, InitialInterval: time.Microsecond}})
	require.NoError(t, err)
	runs := 0
	h := retry(func(*message.Message) ([]*message.Message, error) {
		runs++
		return nil, errors.Join(publish(halfOpen, "payments"), publish(open, "orders"))
	})

	_, err = h(message.NewMessage("m", nil))

	require.ErrorIs(t, err, sourceflow.ErrCircuitHalfOpen)
	require.ErrorIs(t, err, middleware.ErrCircuitOpen)
	assert.Equal(t, 1, runs, "not run again in process: the open circuit would refuse again")
}

// halfOpenWithProbeInFlight returns a publisher through a circuit breaker
// whose circuit of topic is half-open, its probe publish held in fake
// until the test ends.
func halfOpenWithProbeInFlight(t *testing.T, fake *flakyPublisher, topic string) message.Publisher {
	t.Helper()
	b, out := newBreaker(t, middleware.CircuitBreakerConfig{ConsecutiveFailures: 1, OpenTimeout: 20 * time.Millisecond}, fake)
	require.Error(t, publish(out, topic), "the failure opens the circuit")
	require.Eventually(t, func() bool { return b.State(topic) == sourceflow.CircuitHalfOpen },
		5*time.Second, 5*time.Millisecond)
	release := fake.hold()
	probe := make(chan error, 1)
	go func() { probe <- publish(out, topic) }()
	<-fake.entered // the probe is in the transport
	t.Cleanup(func() {
		release()
		<-probe
	})
	return out
}
