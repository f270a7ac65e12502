package sqlstore

import (
	"strings"

	"github.com/sourceflow-go/sourceflow/idempotency"
)

// idempotencyPrefix starts the text of idempotency's sentinel errors
// ("idempotency: invalid key").
const idempotencyPrefix = "idempotency: "

// opError is the error of a store operation (claim, complete, extend,
// release) on a key: "sqlstore: <op> <key>: <err>". When err is one of
// idempotency's (ErrInvalidKey, ErrLeaseLost, …), its leading
// "idempotency: " is left out, so that the text names this package alone;
// errors.Is and errors.As reach err.
type opError struct {
	op  string
	key idempotency.Key
	err error
}

// opErr returns the error of operation op on key that failed with err.
func opErr(op string, key idempotency.Key, err error) error {
	return &opError{op: op, key: key, err: err}
}

// Error implements error.
func (e *opError) Error() string {
	return "sqlstore: " + e.op + " " + e.key.String() + ": " + strings.TrimPrefix(e.err.Error(), idempotencyPrefix)
}

// Unwrap returns the error the operation failed with.
func (e *opError) Unwrap() error { return e.err }
