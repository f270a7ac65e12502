package idempotency

import "strings"

// opError is the middleware's error of a store operation (claim, complete,
// release) on a key: "idempotency: <op> <key>: <err>". When err is one of
// this package's sentinels, or wraps one at its start ("idempotency: store
// closed"), its leading "idempotency: " is left out, so that the text
// names the package once; errors.Is and errors.As reach err.
type opError struct {
	op  string
	key Key
	err error
}

// packagePrefix starts the text of this package's errors.
const packagePrefix = "idempotency: "

// Error implements error.
func (e *opError) Error() string {
	return packagePrefix + e.op + " " + e.key.String() + ": " + strings.TrimPrefix(e.err.Error(), packagePrefix)
}

// Unwrap returns the error the operation failed with.
func (e *opError) Unwrap() error { return e.err }
