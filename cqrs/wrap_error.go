package cqrs

import (
	"fmt"
	"strings"
)

// errPrefix starts the text of this package's errors.
const errPrefix = "cqrs: "

// wrapError is an error that says what failed (its context, say
// "cqrs: start \"svc\"") before the error that failed it. When that
// error's text starts with "cqrs: " too (one of this package's), that
// prefix is not repeated after the context: a Start's error, which wraps
// its steps' errors, which may wrap this package's sentinels, says "cqrs:"
// once per line. Only that leading prefix goes: the error's other lines
// (each error of a joined one after the first, this package's or
// another's) keep their text whole. errors.Is and errors.As reach the
// error.
type wrapError struct {
	context string
	err     error
}

// wrap returns err after the context format and args describe; nil err
// gives the context alone.
func wrap(err error, format string, args ...any) error {
	return &wrapError{context: fmt.Sprintf(format, args...), err: err}
}

// Error implements error.
func (e *wrapError) Error() string {
	if e.err == nil { // a router that stopped at start without an error
		return e.context
	}
	return e.context + ": " + strings.TrimPrefix(e.err.Error(), errPrefix)
}

// Unwrap returns the error that failed.
func (e *wrapError) Unwrap() error { return e.err }
