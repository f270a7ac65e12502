package circuit

import (
	"errors"
	"slices"

	"github.com/sourceflow-go/sourceflow"
)

// StaysOpen reports whether err holds an open circuit's refusal: an error
// matching sourceflow.ErrCircuitOpen on a path of its tree (errors.Join,
// several %w) that does not pass sourceflow.ErrCircuitHalfOpen. A
// half-open circuit's refusal clears once its probe publish returns, so an
// error that holds only such refusals does not stay open; one that holds
// an open circuit's refusal beside them does.
func StaysOpen(err error) bool {
	if !errors.Is(err, sourceflow.ErrCircuitOpen) || halfOpen(err) {
		return false
	}
	switch u := err.(type) {
	case interface{ Unwrap() []error }:
		return slices.ContainsFunc(u.Unwrap(), StaysOpen)
	case interface{ Unwrap() error }:
		if inner := u.Unwrap(); errors.Is(inner, sourceflow.ErrCircuitOpen) {
			return StaysOpen(inner)
		}
	}
	return true // ErrCircuitOpen itself, or an error whose Is method matches it
}

// halfOpen reports whether err itself, not what it wraps, is
// sourceflow.ErrCircuitHalfOpen or says it is (its Is method).
func halfOpen(err error) bool {
	if err == sourceflow.ErrCircuitHalfOpen {
		return true
	}
	is, ok := err.(interface{ Is(error) bool })
	return ok && is.Is(sourceflow.ErrCircuitHalfOpen)
}
