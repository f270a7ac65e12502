package sqldb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/sourceflow-go/sourceflow"
)

type txKey struct{}

// carried is a transaction, the database it was begun on, and what ended
// it early, if anything.
type carried struct {
	db     *sql.DB
	source string // SourceOf db's DSN, "" when not known
	tx     *sql.Tx
	ended  *ending
}

// ContextWithTx returns a context carrying tx, begun on db. Stores on db
// called with it run in tx; stores on another database ignore it.
func ContextWithTx(ctx context.Context, db *sql.DB, tx *sql.Tx) context.Context {
	return contextWithTx(ctx, db, "", tx)
}

// contextWithTx is ContextWithTx for a db whose DSN has source (see
// SourceOf), so that checkPool can tell a second pool on its database.
func contextWithTx(ctx context.Context, db *sql.DB, source string, tx *sql.Tx) context.Context {
	return context.WithValue(ctx, txKey{}, carried{db: db, source: source, tx: tx, ended: &ending{}})
}

// checkPool refuses (ErrSecondPool, permanent) a call on db, whose DSN has
// source (see SourceOf), with a context carrying a transaction begun on
// another *sql.DB whose DSN points to the same database: the call could
// neither join the transaction nor commit with it. A transaction on db, on
// another database, or on one whose DSN is not known passes.
func checkPool(ctx context.Context, db *sql.DB, source string) error {
	c, _ := ctx.Value(txKey{}).(carried)
	if c.tx == nil || c.db == nil || c.db == db || source == "" || c.source != source {
		return nil
	}
	return sourceflow.Permanent(ErrSecondPool)
}

// TxFromContext returns the transaction carried by ctx, or nil.
func TxFromContext(ctx context.Context) *sql.Tx {
	c, _ := ctx.Value(txKey{}).(carried)
	return c.tx
}

// TxFor returns the transaction carried by ctx when it was begun on db (or
// its database is unknown), else nil.
func TxFor(ctx context.Context, db *sql.DB) *sql.Tx {
	c, _ := ctx.Value(txKey{}).(carried)
	if c.tx == nil || (c.db != nil && c.db != db) {
		return nil
	}
	return c.tx
}

// Executor is what *sql.DB and *sql.Tx have in common.
type Executor interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// ExecutorFor returns the transaction on db carried by ctx, or db. Once a
// statement through it failed in a way that ended the transaction on the
// server (see Ended), its later writes fail with that error. A transaction
// on another pool of db's database (source, see checkPool) is refused.
func ExecutorFor(ctx context.Context, db *sql.DB, source string) (Executor, error) {
	if err := checkPool(ctx, db, source); err != nil {
		return nil, err
	}
	c, _ := ctx.Value(txKey{}).(carried)
	if c.tx == nil || (c.db != nil && c.db != db) {
		return db, nil
	}
	return txExecutor{c}, nil
}

// WithinTx runs fn with a context carrying a transaction on db and commits
// when fn returns nil; it rolls back when fn fails or panics. When ctx already
// carries a transaction on db, fn joins it and the outer caller commits.
// fn's error is returned as it is; WithinTx's own (the transaction could not
// begin or commit, or was ended by an earlier statement) start with pkg, the
// public package whose method the caller is ("sqlstore: begin a
// transaction: …"); those that say the database could not be reached are
// marked sourceflow.StoreUnavailable (see Unavailable). source is SourceOf db's DSN ("" when not known): a
// transaction ctx carries on another pool of that database is refused
// (checkPool) rather than a new one begun beside it.
//
// On MySQL the transaction runs at READ COMMITTED instead of MySQL's
// REPEATABLE READ, as PostgreSQL's do by default: a statement sees what
// other transactions committed before it ran, so a reload after a refused
// conditional save sees the newer version instead of the transaction's first
// snapshot (which would refuse every retry), and no gap locks are taken.
func WithinTx(ctx context.Context, pkg string, db *sql.DB, source string, d Dialect, fn func(ctx context.Context) error) error {
	if err := checkPool(ctx, db, source); err != nil {
		return fmt.Errorf("%s: %w", pkg, err)
	}
	if TxFor(ctx, db) != nil {
		return fn(ctx)
	}
	var opts *sql.TxOptions
	if d == MySQL {
		opts = &sql.TxOptions{Isolation: sql.LevelReadCommitted}
	}
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return Unavailable(fmt.Errorf("%s: begin a transaction: %w", pkg, err))
	}
	committed := false
	defer func() {
		if !committed {
			_ = tx.Rollback()
		}
	}()
	txCtx := contextWithTx(ctx, db, source, tx)
	if err := fn(txCtx); err != nil {
		return err
	}
	if err := Ended(txCtx); err != nil {
		return fmt.Errorf("%s: %w", pkg, err) // what fn did after it would have committed on its own
	}
	committed = true
	if err := tx.Commit(); err != nil {
		return Unavailable(fmt.Errorf("%s: commit the transaction: %w", pkg, err))
	}
	return nil
}
