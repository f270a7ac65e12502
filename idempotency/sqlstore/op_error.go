package sqlstore

import (
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/internal/errtext"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// idempotencyPrefix starts the text of idempotency's sentinel errors
// ("idempotency: invalid key").
const idempotencyPrefix = "idempotency: "

// opErr returns the error of operation op (claim, complete, extend,
// release) on key that failed with err: "sqlstore: <op> <key>: <err>".
// When err is one of idempotency's (ErrInvalidKey, ErrLeaseLost, …), its
// leading "idempotency: " is left out, so that the text names this package
// alone; errors.Is and errors.As reach err. The operation and the key
// travel as data (errtext.OpError), so that the middleware does not name
// them again. An error that says the database could not be reached is
// marked sourceflow.StoreUnavailable (sqldb.Unavailable).
func opErr(op string, key idempotency.Key, err error) error {
	return sqldb.Unavailable(errtext.WrapOp("sqlstore: ", op, key.String(), idempotencyPrefix, err))
}
