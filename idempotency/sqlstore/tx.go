package sqlstore

import (
	"context"
	"database/sql"

	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// ContextWithTx returns a context carrying tx. Store methods called with it
// run in tx, so a caller can put the claim and completion in a transaction it
// manages itself. The database tx was begun on is not known, so every store
// given the context runs in tx.
func ContextWithTx(ctx context.Context, tx *sql.Tx) context.Context {
	return sqldb.ContextWithTx(ctx, nil, tx)
}

// TxFromContext returns the transaction carried by ctx, or nil: one passed
// to ContextWithTx or begun by WithinTx, by this or another SQL store of the
// module. In the idempotency middleware's transactional mode a handler calls
// TxFromContext(msg.Context()) and writes through the returned transaction, so
// its writes commit together with the completion of the claim.
func TxFromContext(ctx context.Context) *sql.Tx {
	return sqldb.TxFromContext(ctx)
}

// executor returns the transaction ctx carries on the store's database, or
// the database itself; it refuses a transaction on another pool of the same
// database (sqldb.ErrSecondPool), and any call once Close was called
// (idempotency.ErrClosed).
func (s *Store) executor(ctx context.Context) (sqldb.Executor, error) {
	if s.closed.Load() {
		return nil, idempotency.ErrClosed
	}
	return sqldb.ExecutorFor(ctx, s.db, s.source)
}

// WithinTx implements idempotency.Transactor: it begins a transaction on the
// store's database, runs fn with a context carrying it, and commits when fn
// returns nil or rolls back when fn fails or panics. When ctx already carries
// a transaction on that database (begun by another store on it, or given to
// ContextWithTx), fn joins it and the caller commits. After Close it fails
// with idempotency.ErrClosed, as does a transaction that Close keeps from
// beginning (fn's own error stays fn's).
func (s *Store) WithinTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if err := s.closedErr("sqlstore: begin a transaction"); err != nil {
		return err
	}
	ran := false
	err := sqldb.WithinTx(ctx, "sqlstore", s.db, s.source, s.cfg.Dialect, func(ctx context.Context) error {
		ran = true
		return fn(ctx)
	})
	if err != nil && !ran {
		return s.orClosed(err) // the database closed under the begin
	}
	return err
}
