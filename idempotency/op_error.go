package idempotency

import (
	"errors"
	"strings"

	"github.com/sourceflow-go/sourceflow/internal/errtext"
)

// packagePrefix starts the text of this package's errors.
const packagePrefix = "idempotency: "

// opError is the middleware's error of a store operation (claim, complete,
// release) on a key: "idempotency: <op> <key>: <err>". When err is one of
// this package's sentinels, or wraps one at its start ("idempotency: store
// closed"), its leading "idempotency: " is left out, so that the text
// names the package once. When err is a store's error of that operation on
// the key (an errtext.OpError, as the module's stores return: "sqlstore:
// complete c/m: lease lost"), they are not said again (see named).
// errors.Is and errors.As reach err.
func opError(op string, key Key, err error) error {
	var stores *errtext.OpError
	if errors.As(err, &stores) && stores.Op == op && stores.Subject == key.String() {
		return named(err, stores)
	}
	return errtext.WrapOp(packagePrefix, op, key.String(), packagePrefix, err)
}

// named is the middleware's error err of a store operation that names the
// operation and the key in op: err itself when it is op and op's package
// prefix names this package ("idempotency/dynamostore: complete c/m: lease
// lost"), else err after the package's name ("idempotency: sqlstore:
// complete c/m: lease lost").
func named(err error, op *errtext.OpError) error {
	if err == error(op) && strings.HasPrefix(op.Prefix, "idempotency") {
		return err
	}
	return errtext.Wrap("idempotency", packagePrefix, err)
}
