package middleware

import (
	"errors"

	"github.com/sourceflow-go/sourceflow"
)

// ErrRetriesExhausted is matched (errors.Is) by the error Retry returns when
// every attempt failed or the elapsed-time budget ran out. The last handler
// error stays reachable with errors.Is and errors.As.
var ErrRetriesExhausted = errors.New("middleware: retries exhausted")

// ErrRetryStopped is matched (errors.Is) by the error Retry returns when the
// message's context ended while it waited to retry. The last handler error and
// the context's error stay reachable with errors.Is.
var ErrRetryStopped = errors.New("middleware: retry stopped")

// ErrUnknownPhase is returned by Stack.Use and Stack.Decorate for a phase that
// is not one of the declared constants.
var ErrUnknownPhase = errors.New("middleware: unknown phase")

// ErrEmptyName is returned by Stack.Use and Stack.Decorate when the name is
// empty. Names are what Stack.String shows.
var ErrEmptyName = errors.New("middleware: empty name")

// ErrDuplicateName is returned by Stack.Use and Stack.Decorate when the phase
// already holds an entry with that name.
var ErrDuplicateName = errors.New("middleware: duplicate name in phase")

// ErrNilMiddleware is returned by Stack.Use and Stack.Decorate for a nil
// middleware or decorator.
var ErrNilMiddleware = errors.New("middleware: nil middleware")

// ErrNilPublisher is returned by Stack.DecoratePublisher for a nil publisher.
var ErrNilPublisher = errors.New("middleware: nil publisher")

// ErrUnknownName is returned by Stack.Insert and Stack.InsertDecorator when
// no entry has the anchor name.
var ErrUnknownName = errors.New("middleware: no entry with that name")

// ErrAmbiguousName is returned by Stack.Insert and Stack.InsertDecorator when
// entries of several phases have the anchor name.
var ErrAmbiguousName = errors.New("middleware: name used in several phases")

// ErrCircuitOpen is matched (errors.Is) by the error a CircuitBreaker's
// publisher returns, without publishing, while the destination's circuit is
// open, or half-open with its one probe still in flight. The error names the
// destination. It is not permanent: the message of a handler that fails
// with it is redelivered later. Retry does not run that handler again at
// once, since the circuit would refuse again until its OpenTimeout ends,
// unless the refusal also matches sourceflow.ErrCircuitHalfOpen (the
// half-open refusal, which clears once the probe returns) and no error
// joined with it is an open circuit's refusal. It is
// sourceflow.ErrCircuitOpen, which packages that do not import this one
// (idempotency) recognise.
var ErrCircuitOpen = sourceflow.ErrCircuitOpen
