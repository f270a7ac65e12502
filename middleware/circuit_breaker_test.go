package middleware_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware"
)

var errDown = errors.New("endpoint down")

// flakyPublisher fails per topic when told to and counts the calls that
// reached it. After hold, the next Publish reports on entered and waits for
// release; later calls pass.
type flakyPublisher struct {
	mu      sync.Mutex
	fail    map[string]error
	calls   map[string]int
	gate    chan struct{}
	entered chan string
}

func newFlaky() *flakyPublisher {
	return &flakyPublisher{fail: map[string]error{}, calls: map[string]int{}}
}

func (p *flakyPublisher) set(topic string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fail[topic] = err
}

func (p *flakyPublisher) hold() (release func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	gate := make(chan struct{})
	p.gate, p.entered = gate, make(chan string, 1)
	return func() { close(gate) }
}

func (p *flakyPublisher) count(topic string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[topic]
}

func (p *flakyPublisher) Publish(topic string, _ ...*message.Message) error {
	p.mu.Lock()
	p.calls[topic]++
	err, gate, entered := p.fail[topic], p.gate, p.entered
	p.gate = nil // the gate holds one call only
	p.mu.Unlock()
	if gate != nil {
		entered <- topic
		<-gate
	}
	return err
}

func (p *flakyPublisher) Close() error { return nil }

// transitions records state changes as "destination:from→to".
type transitions struct {
	mu   sync.Mutex
	list []string
}

func (r *transitions) record(dest string, from, to sourceflow.CircuitState) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.list = append(r.list, fmt.Sprintf("%s:%s→%s", dest, from, to))
}

func (r *transitions) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.list...)
}

func newBreaker(t *testing.T, cfg middleware.CircuitBreakerConfig, pub message.Publisher) (*middleware.CircuitBreaker, message.Publisher) {
	t.Helper()
	b, err := middleware.NewCircuitBreaker(cfg)
	require.NoError(t, err)
	dec, err := b.DecoratePublisher(pub)
	require.NoError(t, err)
	return b, dec
}

func publish(pub message.Publisher, topic string) error {
	return pub.Publish(topic, message.NewMessage("m", nil))
}

func TestCircuitBreakerOpensAfterConsecutiveFailuresAndRejectsAtOnce(t *testing.T) {
	fake := newFlaky()
	b, pub := newBreaker(t, middleware.CircuitBreakerConfig{ConsecutiveFailures: 3, OpenTimeout: time.Hour}, fake)

	fake.set("orders", errDown)
	require.ErrorIs(t, publish(pub, "orders"), errDown)
	require.ErrorIs(t, publish(pub, "orders"), errDown)
	fake.set("orders", nil)
	require.NoError(t, publish(pub, "orders"), "a success resets the run of failures")
	fake.set("orders", errDown)
	for range 2 {
		require.ErrorIs(t, publish(pub, "orders"), errDown)
	}
	assert.Equal(t, sourceflow.CircuitClosed, b.State("orders"), "two failures in a row are below the threshold")
	require.ErrorIs(t, publish(pub, "orders"), errDown)
	assert.Equal(t, sourceflow.CircuitOpen, b.State("orders"))

	calls := fake.count("orders")
	err := publish(pub, "orders")
	require.ErrorIs(t, err, middleware.ErrCircuitOpen)
	assert.NotErrorIs(t, err, sourceflow.ErrCircuitHalfOpen, "an open circuit's refusal lasts until OpenTimeout ends")
	assert.Contains(t, err.Error(), `"orders"`, "the error names the destination")
	assert.False(t, sourceflow.IsPermanent(err), "a rejected publish is retried, never dead-lettered")
	assert.Equal(t, calls, fake.count("orders"), "an open circuit does not call the transport")
}

func TestCircuitBreakerIsolatesDestinations(t *testing.T) {
	fake := newFlaky()
	b, pub := newBreaker(t, middleware.CircuitBreakerConfig{ConsecutiveFailures: 1, OpenTimeout: time.Hour}, fake)
	fake.set("orders", errDown)
	require.ErrorIs(t, publish(pub, "orders"), errDown)
	require.ErrorIs(t, publish(pub, "orders"), middleware.ErrCircuitOpen)

	require.NoError(t, publish(pub, "payments"))
	assert.Equal(t, 1, fake.count("payments"))
	assert.Equal(t, []sourceflow.Circuit{
		{Destination: "orders", State: sourceflow.CircuitOpen},
		{Destination: "payments", State: sourceflow.CircuitClosed},
	}, b.Circuits())
	assert.Equal(t, sourceflow.CircuitClosed, b.State("never-published"))
}

func TestCircuitBreakerHalfOpenLetsExactlyOneProbeThrough(t *testing.T) {
	fake := newFlaky()
	var rec transitions
	b, pub := newBreaker(t, middleware.CircuitBreakerConfig{
		ConsecutiveFailures: 1, OpenTimeout: 20 * time.Millisecond, OnStateChange: rec.record,
	}, fake)
	fake.set("orders", errDown)
	require.ErrorIs(t, publish(pub, "orders"), errDown)
	require.Eventually(t, func() bool { return b.State("orders") == sourceflow.CircuitHalfOpen },
		5*time.Second, 5*time.Millisecond)

	fake.set("orders", nil)
	release := fake.hold()
	probe := make(chan error, 1)
	go func() { probe <- publish(pub, "orders") }()
	<-fake.entered // the probe is in the transport

	err := publish(pub, "orders")
	require.ErrorIs(t, err, middleware.ErrCircuitOpen, "a second publish while the probe is in flight is rejected")
	require.ErrorIs(t, err, sourceflow.ErrCircuitHalfOpen, "a refusal that clears when the probe returns")
	assert.Contains(t, err.Error(), "half-open")
	assert.Contains(t, err.Error(), `"orders"`, "the error names the destination")
	assert.Equal(t, 2, fake.count("orders"), "only the probe reached the transport")

	release()
	require.NoError(t, <-probe)
	assert.Equal(t, sourceflow.CircuitClosed, b.State("orders"), "the probe's success closes the circuit")
	require.NoError(t, publish(pub, "orders"))
	assert.Equal(t, []string{"orders:closed→open", "orders:open→half-open", "orders:half-open→closed"}, rec.get())
}

func TestCircuitBreakerFailedProbeOpensAgain(t *testing.T) {
	fake := newFlaky()
	var rec transitions
	b, pub := newBreaker(t, middleware.CircuitBreakerConfig{
		ConsecutiveFailures: 2, OpenTimeout: 20 * time.Millisecond, OnStateChange: rec.record,
	}, fake)
	fake.set("orders", errDown)
	for range 2 {
		require.ErrorIs(t, publish(pub, "orders"), errDown)
	}
	require.Eventually(t, func() bool { return b.State("orders") == sourceflow.CircuitHalfOpen },
		5*time.Second, 5*time.Millisecond)
	require.ErrorIs(t, publish(pub, "orders"), errDown, "the probe runs and fails")
	assert.Equal(t, []string{"orders:closed→open", "orders:open→half-open", "orders:half-open→open"}, rec.get(),
		"one failed probe reopens the circuit, whatever the threshold")
}

func TestCircuitBreakerIgnoresTheCallersFaults(t *testing.T) {
	fake := newFlaky()
	b, pub := newBreaker(t, middleware.CircuitBreakerConfig{ConsecutiveFailures: 2, OpenTimeout: time.Hour}, fake)
	faults := []error{
		sourceflow.Permanent(errors.New("message too large")),
		fmt.Errorf("publish: %w", context.Canceled),
	}
	for _, fault := range faults {
		fake.set("orders", fault)
		for range 5 {
			require.ErrorIs(t, publish(pub, "orders"), fault)
		}
	}
	assert.Equal(t, sourceflow.CircuitClosed, b.State("orders"))

	fake.set("orders", errDown)
	require.ErrorIs(t, publish(pub, "orders"), errDown)
	require.ErrorIs(t, publish(pub, "orders"), errDown)
	assert.Equal(t, sourceflow.CircuitOpen, b.State("orders"), "transport failures still count")
}

func TestCircuitBreakerCustomIsFailure(t *testing.T) {
	fake := newFlaky()
	errQuota := errors.New("quota")
	b, pub := newBreaker(t, middleware.CircuitBreakerConfig{
		ConsecutiveFailures: 1, OpenTimeout: time.Hour,
		IsFailure: func(err error) bool { return !errors.Is(err, errQuota) },
	}, fake)
	fake.set("orders", errQuota)
	require.ErrorIs(t, publish(pub, "orders"), errQuota)
	assert.Equal(t, sourceflow.CircuitClosed, b.State("orders"))
}

func TestCircuitBreakerOpensOnFailureRatio(t *testing.T) {
	fake := newFlaky()
	b, pub := newBreaker(t, middleware.CircuitBreakerConfig{
		ConsecutiveFailures: 100, FailureRatio: 0.5, MinRequests: 4, OpenTimeout: time.Hour,
	}, fake)
	for i, fail := range []bool{false, true, false} {
		fake.set("orders", map[bool]error{true: errDown}[fail])
		_ = publish(pub, "orders")
		require.Equal(t, sourceflow.CircuitClosed, b.State("orders"), "publish %d", i)
	}
	fake.set("orders", errDown)
	require.ErrorIs(t, publish(pub, "orders"), errDown)
	assert.Equal(t, sourceflow.CircuitOpen, b.State("orders"), "2 of 4 publishes failed")
}

func TestCircuitBreakerDecoratorKeepsClose(t *testing.T) {
	b, err := middleware.NewCircuitBreaker(middleware.CircuitBreakerConfig{})
	require.NoError(t, err)
	_, err = b.DecoratePublisher(nil)
	require.ErrorIs(t, err, middleware.ErrNilPublisher)
	fake := &fakePublisher{}
	pub, err := b.DecoratePublisher(fake)
	require.NoError(t, err)
	require.NoError(t, pub.Close())
	assert.True(t, fake.closed)
}

func TestCircuitBreakerConfig_Validate(t *testing.T) {
	tests := []struct {
		name   string
		cfg    middleware.CircuitBreakerConfig
		fields []string
	}{
		{name: "zero is valid", cfg: middleware.CircuitBreakerConfig{}},
		{name: "negative counts", cfg: middleware.CircuitBreakerConfig{ConsecutiveFailures: -1, MinRequests: -2},
			fields: []string{"ConsecutiveFailures", "MinRequests"}},
		{name: "ratio out of range", cfg: middleware.CircuitBreakerConfig{FailureRatio: 1.5}, fields: []string{"FailureRatio"}},
		{name: "ratio NaN", cfg: middleware.CircuitBreakerConfig{FailureRatio: math.NaN()}, fields: []string{"FailureRatio"}},
		{name: "durations", cfg: middleware.CircuitBreakerConfig{Interval: -time.Second, OpenTimeout: 48 * time.Hour},
			fields: []string{"Interval", "OpenTimeout"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			_, newErr := middleware.NewCircuitBreaker(tt.cfg)
			if len(tt.fields) == 0 {
				require.NoError(t, err)
				require.NoError(t, newErr)
				return
			}
			require.Error(t, err)
			require.Error(t, newErr)
			for _, f := range tt.fields {
				assert.Contains(t, err.Error(), "middleware: CircuitBreakerConfig."+f)
				assert.Contains(t, newErr.Error(), "middleware: CircuitBreakerConfig."+f)
			}
		})
	}
}
