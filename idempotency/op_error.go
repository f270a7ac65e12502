package idempotency

import (
	"strings"

	"github.com/sourceflow-go/sourceflow/internal/errtext"
)

// packagePrefix starts the text of this package's errors.
const packagePrefix = "idempotency: "

// opError is the middleware's error of a store operation (claim, complete,
// release) on a key: "idempotency: <op> <key>: <err>". When err is one of
// this package's sentinels, or wraps one at its start ("idempotency: store
// closed"), its leading "idempotency: " is left out, so that the text
// names the package once. When err already names the operation and the
// key, as the module's stores word theirs ("sqlstore: complete c/m: lease
// lost"), they are not said again (see named). errors.Is and errors.As
// reach err.
func opError(op string, key Key, err error) error {
	if names(err, op, key) {
		return named(err)
	}
	return errtext.Wrap(packagePrefix+op+" "+key.String(), packagePrefix, err)
}

// names reports whether err's text names store operation op on key
// ("<op> <key>: "), as a store's error of that operation does.
func names(err error, op string, key Key) bool {
	return err != nil && strings.Contains(err.Error(), op+" "+key.String()+": ")
}

// named is the middleware's error of a store operation whose error err
// already names the operation and the key: err after the package's name
// ("idempotency: sqlstore: complete c/m: lease lost"), or err itself when
// its text starts with that name ("idempotency/dynamostore: complete c/m:
// lease lost").
func named(err error) error {
	if strings.HasPrefix(err.Error(), "idempotency") {
		return err
	}
	return errtext.Wrap("idempotency", packagePrefix, err)
}
