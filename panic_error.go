package sourceflow

import "errors"

// ErrPanic is matched (errors.Is) by the error a panicking handler becomes,
// a *PanicError, whether cqrs's dispatcher or the Recover middleware caught
// it.
var ErrPanic = errors.New("sourceflow: handler panicked")

// PanicError is the error a panicking handler becomes. errors.Is(err,
// ErrPanic) holds; when the panic value is itself an error, errors.Is and
// errors.As reach it too. A panic is not marked permanent: it may be caused
// by a passing condition.
//
// Error describes the value without its contents unless it is an error, a
// string, a boolean or a number (a struct's fields, often the message the
// handler was working on, would otherwise reach logs, spans and
// dead-letter reasons), escapes the characters a terminal acts on and the
// backslash (written \\), and cuts the description to 512 bytes (see
// PanicText). Value keeps the value whole: do not log it.
type PanicError struct {
	// Value is what the panic was called with.
	Value any
	// Stack is the stack of the panicking goroutine, as runtime/debug.Stack
	// printed it at the moment of recovery.
	Stack []byte
}

// Error describes the panic value (see PanicError); the stack is in the
// Stack field and is kept out of the text so that one log line stays one
// line.
func (e *PanicError) Error() string {
	return ErrPanic.Error() + ": " + PanicText(e.Value)
}

// Unwrap returns ErrPanic and, when the panic value is an error, that error.
func (e *PanicError) Unwrap() []error {
	if err, ok := e.Value.(error); ok {
		return []error{ErrPanic, err}
	}
	return []error{ErrPanic}
}
