package idempotency

import "github.com/sourceflow-go/sourceflow/internal/errtext"

// packagePrefix starts the text of this package's errors.
const packagePrefix = "idempotency: "

// opError is the middleware's error of a store operation (claim, complete,
// release) on a key: "idempotency: <op> <key>: <err>". When err is one of
// this package's sentinels, or wraps one at its start ("idempotency: store
// closed"), its leading "idempotency: " is left out, so that the text
// names the package once; errors.Is and errors.As reach err.
func opError(op string, key Key, err error) error {
	return errtext.Wrap(packagePrefix+op+" "+key.String(), packagePrefix, err)
}
