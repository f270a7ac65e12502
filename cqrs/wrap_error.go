package cqrs

import (
	"fmt"
	"strings"
)

// errPrefix starts the text of this package's errors.
const errPrefix = "cqrs: "

// wrapError is an error that says what failed (its context, say
// "cqrs: start \"svc\"") before the error that failed it. When that error
// is one of this package's, whose text starts with "cqrs: " too (each line
// of a joined one does), the prefix is not repeated: a Start's error, which
// wraps its steps' errors, which may wrap this package's sentinels, says
// "cqrs:" once per line. errors.Is and errors.As reach the error.
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
	text := strings.TrimPrefix(e.err.Error(), errPrefix)
	return e.context + ": " + strings.ReplaceAll(text, "\n"+errPrefix, "\n")
}

// Unwrap returns the error that failed.
func (e *wrapError) Unwrap() error { return e.err }
