package middleware

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
)

// Defaults of CircuitBreakerConfig.
const (
	DefaultConsecutiveFailures = 5
	DefaultMinRequests         = 10
	DefaultCircuitInterval     = time.Minute
	DefaultOpenTimeout         = 10 * time.Second
)

// maxCircuitDuration bounds Interval and OpenTimeout.
const maxCircuitDuration = 24 * time.Hour

// CircuitBreakerConfig configures NewCircuitBreaker. The zero value is
// valid: a destination's circuit opens after 5 failed publishes in a row and
// lets one probe through after 10 s.
type CircuitBreakerConfig struct {
	// ConsecutiveFailures opens a destination's circuit when this many
	// publishes to it failed in a row. At least 1; default 5.
	ConsecutiveFailures int
	// FailureRatio, when above zero, also opens the circuit when at least
	// this share of the publishes counted in the current Interval failed,
	// once MinRequests were counted. 0..1; default 0 (off).
	FailureRatio float64
	// MinRequests is how many publishes Interval must count before
	// FailureRatio applies. At least 1; default 10.
	MinRequests int
	// Interval is how long the closed state's counts last before they are
	// cleared. Default 1 min; at most 24 h.
	Interval time.Duration
	// OpenTimeout is how long an open circuit rejects publishes before it
	// turns half-open and lets one probe through. Default 10 s; at most 24 h.
	OpenTimeout time.Duration
	// IsFailure reports whether a publish error counts against the
	// destination; an error it rejects counts neither as a failure nor as a
	// success. Default IsCircuitFailure.
	IsFailure func(err error) bool
	// OnStateChange, optional, is called after a destination's circuit
	// changes state. It runs under that circuit's lock: it must not call
	// the CircuitBreaker's methods.
	OnStateChange func(destination string, from, to sourceflow.CircuitState)
	// Logger logs every state change. Default watermill.NopLogger.
	Logger watermill.LoggerAdapter
}

// IsCircuitFailure is the default CircuitBreakerConfig.IsFailure: every
// error counts except those no state of the destination explains: the
// caller's own faults (an error marked permanent, sourceflow.IsPermanent,
// e.g. a message over the size limit; a cancelled context) and a command
// sent in process to a destination nothing listens to yet
// (sourceflow.ErrNoListener, e.g. sent before its service started), which
// would otherwise keep the circuit open after the listener started.
func IsCircuitFailure(err error) bool {
	return err != nil && !sourceflow.IsPermanent(err) && !errors.Is(err, context.Canceled) &&
		!errors.Is(err, sourceflow.ErrNoListener)
}

func (c *CircuitBreakerConfig) setDefaults() {
	c.ConsecutiveFailures = cmp.Or(c.ConsecutiveFailures, DefaultConsecutiveFailures)
	c.MinRequests = cmp.Or(c.MinRequests, DefaultMinRequests)
	c.Interval = cmp.Or(c.Interval, DefaultCircuitInterval)
	c.OpenTimeout = cmp.Or(c.OpenTimeout, DefaultOpenTimeout)
	if c.IsFailure == nil {
		c.IsFailure = IsCircuitFailure
	}
	if c.Logger == nil {
		c.Logger = watermill.NopLogger{}
	}
}

// Validate reports every invalid field at once, each by name. Zero fields
// are valid: they take their defaults.
func (c CircuitBreakerConfig) Validate() error {
	c.setDefaults()
	var errs []error
	if c.ConsecutiveFailures < 1 || int64(c.ConsecutiveFailures) > math.MaxUint32 {
		errs = append(errs, fmt.Errorf("middleware: CircuitBreakerConfig.ConsecutiveFailures: %d, must be at least 1", c.ConsecutiveFailures))
	}
	if c.FailureRatio < 0 || c.FailureRatio > 1 || math.IsNaN(c.FailureRatio) {
		errs = append(errs, fmt.Errorf("middleware: CircuitBreakerConfig.FailureRatio: %g, must be 0..1", c.FailureRatio))
	}
	if c.MinRequests < 1 || int64(c.MinRequests) > math.MaxUint32 {
		errs = append(errs, fmt.Errorf("middleware: CircuitBreakerConfig.MinRequests: %d, must be at least 1", c.MinRequests))
	}
	for _, d := range []struct {
		field string
		v     time.Duration
	}{{"Interval", c.Interval}, {"OpenTimeout", c.OpenTimeout}} {
		if d.v <= 0 || d.v > maxCircuitDuration {
			errs = append(errs, fmt.Errorf("middleware: CircuitBreakerConfig.%s: %v, must be above 0 and at most %v", d.field, d.v, maxCircuitDuration))
		}
	}
	errs = append(errs, fieldcheck.NotTypedNil("middleware: CircuitBreakerConfig.Logger", c.Logger))
	return errors.Join(errs...)
}
