package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
)

type txKey struct{}

// ContextWithTx returns a context carrying tx. Store methods called with it
// run in tx, so a caller can put the claim and completion in a transaction it
// manages itself.
func ContextWithTx(ctx context.Context, tx *sql.Tx) context.Context {
	return context.WithValue(ctx, txKey{}, tx)
}

// TxFromContext returns the transaction carried by ctx, or nil. In the
// idempotency middleware's transactional mode a handler calls
// TxFromContext(msg.Context()) and writes through the returned transaction, so
// its writes commit together with the completion of the claim.
func TxFromContext(ctx context.Context) *sql.Tx {
	tx, _ := ctx.Value(txKey{}).(*sql.Tx)
	return tx
}

// executor is what *sql.DB and *sql.Tx have in common that the store uses.
type executor interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Store) executor(ctx context.Context) executor {
	if tx := TxFromContext(ctx); tx != nil {
		return tx
	}
	return s.db
}

// WithinTx implements idempotency.Transactor: it begins a transaction, runs
// fn with a context carrying it, and commits when fn returns nil or rolls
// back when fn fails or panics. When ctx already carries a transaction, fn
// joins it and the caller commits.
func (s *Store) WithinTx(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	if TxFromContext(ctx) != nil {
		return fn(ctx)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: begin: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = tx.Rollback()
		}
	}()
	if err := fn(ContextWithTx(ctx, tx)); err != nil {
		return err
	}
	committed = true
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: commit: %w", err)
	}
	return nil
}
