package sourceflow

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// RetryPolicy says how a failed operation is tried again: up to MaxRetries
// more times, waiting InitialInterval before the first retry and Multiplier
// times longer before each next one, at most MaxInterval per wait, and never
// starting a retry whose wait would end more than MaxElapsed after the first
// attempt began. With Jitter each wait is drawn uniformly from zero to its
// computed length ("full jitter"), which spreads retries of many callers.
//
// The Retry middleware retries handlers with it, the idempotency middleware
// transactional handlings (TxRetry) and the encryption package throttled KMS
// calls; each fills the zero fields with its defaults (WithDefaults) and runs
// its loop with Start.
type RetryPolicy struct {
	// MaxRetries is how many times the operation is run again after its
	// first attempt. Zero takes the default; a negative value means never.
	MaxRetries int
	// InitialInterval is the wait before the first retry.
	InitialInterval time.Duration
	// Multiplier scales the wait after every retry; at least 1.
	Multiplier float64
	// MaxInterval caps a single wait.
	MaxInterval time.Duration
	// MaxElapsed bounds the whole retry loop (see above); keep it well inside
	// the transport's visibility timeout.
	MaxElapsed time.Duration
	// Jitter draws each wait uniformly from zero to its computed length.
	Jitter bool
}

// DefaultRetryPolicy returns the policy for the fields a handler retry
// leaves zero (the Retry middleware's and the idempotency middleware's
// TxRetry). With it a failing handling is tried 4 times over about 0.7 s
// of waits (0.1 s, 0.2 s, 0.4 s), and no retry starts more than 10 s after
// the first attempt: a third of SQS's default 30 s visibility timeout, so
// the message is not redelivered to another consumer while it is still
// being retried. Each call returns a fresh copy: no importer can change
// the defaults of another.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		MaxRetries:      3,
		InitialInterval: 100 * time.Millisecond,
		Multiplier:      2,
		MaxInterval:     2 * time.Second,
		MaxElapsed:      10 * time.Second,
	}
}

// WithDefaults returns p with every zero field taken from d (Jitter is
// taken when p sets no other field either). A default never conflicts with
// a field p sets: the default MaxInterval is raised to p's InitialInterval
// and the default InitialInterval lowered to p's MaxInterval when needed,
// so a policy that passes Validate still does with its defaults.
func (p RetryPolicy) WithDefaults(d RetryPolicy) RetryPolicy {
	if p == (RetryPolicy{}) {
		return d
	}
	initial := d.InitialInterval
	if p.MaxInterval > 0 {
		initial = min(initial, p.MaxInterval)
	}
	p.MaxRetries = cmp.Or(p.MaxRetries, d.MaxRetries)
	p.InitialInterval = cmp.Or(p.InitialInterval, initial)
	p.Multiplier = cmp.Or(p.Multiplier, d.Multiplier)
	p.MaxInterval = cmp.Or(p.MaxInterval, max(d.MaxInterval, p.InitialInterval))
	p.MaxElapsed = cmp.Or(p.MaxElapsed, d.MaxElapsed)
	return p
}

// Validate reports every invalid field. Zero fields are valid: they take
// their defaults.
func (p RetryPolicy) Validate() error {
	var errs []error
	if p.InitialInterval < 0 {
		errs = append(errs, fmt.Errorf("InitialInterval: %s, must not be negative", p.InitialInterval))
	}
	if p.Multiplier != 0 && !(p.Multiplier >= 1 && !math.IsInf(p.Multiplier, 1)) { // NaN fails >= 1
		errs = append(errs, fmt.Errorf("Multiplier: %g, must be a finite number of at least 1", p.Multiplier))
	}
	if p.MaxInterval < 0 {
		errs = append(errs, fmt.Errorf("MaxInterval: %s, must not be negative", p.MaxInterval))
	}
	if p.MaxInterval > 0 && p.MaxInterval < p.InitialInterval {
		errs = append(errs, fmt.Errorf("MaxInterval: %s, must not be below InitialInterval (%s)", p.MaxInterval, p.InitialInterval))
	}
	if p.MaxElapsed < 0 {
		errs = append(errs, fmt.Errorf("MaxElapsed: %s, must not be negative", p.MaxElapsed))
	}
	return errors.Join(errs...)
}

// Retries reports how many retries the policy allows (0 for a negative
// MaxRetries).
func (p RetryPolicy) Retries() int { return max(p.MaxRetries, 0) }

// Next returns the computed wait after one of length wait: Multiplier times
// wait, at most MaxInterval (also when the product passes what a Duration
// holds).
func (p RetryPolicy) Next(wait time.Duration) time.Duration {
	f := float64(wait) * max(p.Multiplier, 1)
	if !(f < float64(p.MaxInterval)) {
		return p.MaxInterval
	}
	return time.Duration(f)
}

// Sleep returns how long to actually wait for a computed wait: wait itself,
// or a uniform draw from [0, wait] with Jitter.
func (p RetryPolicy) Sleep(wait time.Duration) time.Duration {
	if !p.Jitter || wait <= 0 {
		return wait
	}
	// Drawn as a uint64: wait+1 passes what an int64 holds when wait is
	// the longest Duration.
	// #nosec G404 G115 -- jitter that spreads retries out; no secret depends
	// on it, and the draw is at most wait, so it fits in a Duration.
	return time.Duration(rand.Uint64N(uint64(wait) + 1))
}
