package sourceflow

import "fmt"

// CircuitState is the state of one destination's publish circuit breaker.
// Its values are ordered by severity, so a gauge exporting them reads 0
// closed, 1 half-open, 2 open.
type CircuitState int

// The states of a circuit breaker.
const (
	// CircuitClosed lets every publish through and counts its failures.
	CircuitClosed CircuitState = iota
	// CircuitHalfOpen lets one probe publish through; its success closes
	// the circuit, its failure opens it again.
	CircuitHalfOpen
	// CircuitOpen rejects every publish at once until its timeout passes.
	CircuitOpen
)

// String returns "closed", "half-open" or "open".
func (s CircuitState) String() string {
	switch s {
	case CircuitClosed:
		return "closed"
	case CircuitHalfOpen:
		return "half-open"
	case CircuitOpen:
		return "open"
	}
	return fmt.Sprintf("CircuitState(%d)", int(s))
}

// MarshalText encodes the state as its String, so JSON health reports read
// "open" rather than 2.
func (s CircuitState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Circuit is the state of the publish circuit breaker of one destination, as
// middleware.CircuitBreaker reports it and health reports and the metrics
// package export it.
type Circuit struct {
	// Destination is the topic the breaker guards.
	Destination string `json:"destination"`
	// State is the breaker's state when it was read.
	State CircuitState `json:"state"`
}

// CircuitSource reports the state of every destination's publish circuit
// breaker. middleware.CircuitBreaker implements it; health reports and the
// metrics package read it, so neither depends on the middleware package.
type CircuitSource interface {
	// Circuits returns one entry per destination the breaker has seen.
	Circuits() []Circuit
}

// CircuitsFunc adapts a function to CircuitSource.
type CircuitsFunc func() []Circuit

// Circuits calls f.
func (f CircuitsFunc) Circuits() []Circuit { return f() }
