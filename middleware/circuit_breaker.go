package middleware

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/sony/gobreaker/v2"

	"github.com/sourceflow-go/sourceflow"
)

// CircuitBreaker keeps one circuit per destination (the topic of Publish)
// and stops publishing to a destination that keeps failing:
//
//   - closed: every publish goes through; after ConsecutiveFailures failures
//     in a row (or FailureRatio of the publishes of an Interval) the circuit
//     opens;
//   - open: every publish is rejected at once with an error matching
//     ErrCircuitOpen and naming the destination, for OpenTimeout;
//   - half-open: one probe publish goes through; while it has not
//     returned the others are rejected with an error matching both
//     ErrCircuitOpen and sourceflow.ErrCircuitHalfOpen, which Retry retries;
//     the probe's success closes the circuit, its failure opens it again.
//
// A rejected publish is never dropped silently: the caller gets the error,
// so a handler that publishes fails and its message is redelivered.
// Circuits of different destinations are independent. Errors IsFailure
// rejects (by default the caller's own faults and a command sent in
// process to a destination nothing listens to) do not count.
//
// Place DecoratePublisher innermost on the produce side, just after the
// metrics decorator (Stack.InsertDecorator("metrics", After, …)): metrics
// then counts rejected publishes as errors, and the circuit sees only the
// transport's failures, never those of encryption or other phases.
//
// A CircuitBreaker is safe for concurrent use; one instance may decorate
// several publishers, which then share its circuits.
type CircuitBreaker struct {
	cfg CircuitBreakerConfig

	mu       sync.Mutex
	circuits map[string]*gobreaker.CircuitBreaker[struct{}]
}

var _ sourceflow.CircuitSource = (*CircuitBreaker)(nil)

// NewCircuitBreaker returns a CircuitBreaker, or the errors of cfg.
func NewCircuitBreaker(cfg CircuitBreakerConfig) (*CircuitBreaker, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &CircuitBreaker{cfg: cfg, circuits: map[string]*gobreaker.CircuitBreaker[struct{}]{}}, nil
}

// DecoratePublisher is a message.PublisherDecorator: the returned publisher
// runs every Publish through the circuit of its topic. Its Close closes pub.
func (b *CircuitBreaker) DecoratePublisher(pub message.Publisher) (message.Publisher, error) {
	if pub == nil {
		return nil, ErrNilPublisher
	}
	return breakerPublisher{Publisher: pub, b: b}, nil
}

type breakerPublisher struct {
	message.Publisher
	b *CircuitBreaker
}

// Publish publishes through the circuit of topic.
func (p breakerPublisher) Publish(topic string, msgs ...*message.Message) error {
	return p.b.run(topic, func() error { return p.Publisher.Publish(topic, msgs...) })
}

// run calls publish unless the circuit of destination rejects it.
func (b *CircuitBreaker) run(destination string, publish func() error) error {
	called := false
	_, err := b.circuit(destination).Execute(func() (struct{}, error) {
		called = true
		return struct{}{}, publish()
	})
	if called || err == nil {
		return err
	}
	if errors.Is(err, gobreaker.ErrTooManyRequests) {
		return fmt.Errorf("%w: destination %q: its probe publish has not returned", sourceflow.ErrCircuitHalfOpen, destination)
	}
	return fmt.Errorf("%w: destination %q: publishing suspended after repeated failures", ErrCircuitOpen, destination)
}

// circuit returns the circuit of destination, creating it closed.
func (b *CircuitBreaker) circuit(destination string) *gobreaker.CircuitBreaker[struct{}] {
	b.mu.Lock()
	defer b.mu.Unlock()
	cb, ok := b.circuits[destination]
	if !ok {
		cb = gobreaker.NewCircuitBreaker[struct{}](b.settings(destination))
		b.circuits[destination] = cb
	}
	return cb
}

// settings translates the configuration for the library; MaxRequests 1 is
// the single half-open probe.
func (b *CircuitBreaker) settings(destination string) gobreaker.Settings {
	cfg := b.cfg
	// Validate keeps both thresholds in 1..math.MaxUint32.
	trip := uint32(min(max(int64(cfg.ConsecutiveFailures), 1), math.MaxUint32))
	minRequests := uint32(min(max(int64(cfg.MinRequests), 1), math.MaxUint32))
	return gobreaker.Settings{
		Name:        destination,
		MaxRequests: 1,
		Interval:    cfg.Interval,
		Timeout:     cfg.OpenTimeout,
		ReadyToTrip: func(n gobreaker.Counts) bool {
			if n.ConsecutiveFailures >= trip {
				return true
			}
			counted := n.Requests - min(n.TotalExclusions, n.Requests)
			return cfg.FailureRatio > 0 && counted >= minRequests &&
				float64(n.TotalFailures) >= cfg.FailureRatio*float64(counted)
		},
		IsSuccessful: func(err error) bool { return err == nil },
		IsExcluded:   func(err error) bool { return err != nil && !cfg.IsFailure(err) },
		OnStateChange: func(name string, from, to gobreaker.State) {
			b.cfg.Logger.Info("Publish circuit changed state", watermill.LogFields{
				"destination": name, "from": stateOf(from).String(), "to": stateOf(to).String(),
			})
			if cfg.OnStateChange != nil {
				cfg.OnStateChange(name, stateOf(from), stateOf(to))
			}
		},
	}
}

// stateOf maps the library's state to the shared one.
func stateOf(s gobreaker.State) sourceflow.CircuitState {
	switch s {
	case gobreaker.StateOpen:
		return sourceflow.CircuitOpen
	case gobreaker.StateHalfOpen:
		return sourceflow.CircuitHalfOpen
	}
	return sourceflow.CircuitClosed
}

// State returns the state of destination's circuit: CircuitClosed for a
// destination not published to yet.
func (b *CircuitBreaker) State(destination string) sourceflow.CircuitState {
	b.mu.Lock()
	cb, ok := b.circuits[destination]
	b.mu.Unlock()
	if !ok {
		return sourceflow.CircuitClosed
	}
	return stateOf(cb.State())
}

// Circuits returns the state of every destination published to so far,
// sorted by destination. It implements sourceflow.CircuitSource, which
// health reports and the metrics package read.
func (b *CircuitBreaker) Circuits() []sourceflow.Circuit {
	b.mu.Lock()
	out := make([]sourceflow.Circuit, 0, len(b.circuits))
	cbs := make([]*gobreaker.CircuitBreaker[struct{}], 0, len(b.circuits))
	for dest, cb := range b.circuits {
		out = append(out, sourceflow.Circuit{Destination: dest})
		cbs = append(cbs, cb)
	}
	b.mu.Unlock()
	for i, cb := range cbs {
		out[i].State = stateOf(cb.State())
	}
	slices.SortFunc(out, func(x, y sourceflow.Circuit) int { return cmp.Compare(x.Destination, y.Destination) })
	return out
}
