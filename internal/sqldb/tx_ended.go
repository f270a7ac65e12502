package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"github.com/go-sql-driver/mysql"
)

// mysqlDeadlock is MySQL's ER_LOCK_DEADLOCK: InnoDB rolled the whole
// transaction back, and the connection's later statements would each
// commit on their own.
const mysqlDeadlock = 1213

// ending records the error with which the server ended a transaction before
// its commit. A nil *ending records nothing.
type ending struct {
	mu  sync.Mutex
	err error
}

// note records err when it ended the transaction, and returns it.
func (e *ending) note(err error) error {
	if e == nil || err == nil {
		return err
	}
	if me, ok := errors.AsType[*mysql.MySQLError](err); ok && me.Number == mysqlDeadlock {
		e.mu.Lock()
		if e.err == nil {
			e.err = err
		}
		e.mu.Unlock()
	}
	return err
}

// get returns an error when the transaction has ended.
func (e *ending) get() error {
	if e == nil {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.err == nil {
		return nil
	}
	return fmt.Errorf("the transaction was rolled back by an earlier statement; later ones would commit on their own: %w", e.err)
}

// Note records err in the transaction ctx carries when err ended that
// transaction on the server, and returns err. Code that writes through
// TxFor's transaction itself calls it with the errors of its statements.
func Note(ctx context.Context, err error) error {
	c, _ := ctx.Value(txKey{}).(carried)
	return c.ended.note(err)
}

// Ended returns an error when the transaction ctx carries was ended on the
// server by an earlier statement (a MySQL deadlock rolls it back whole): a
// handler retried inside it would otherwise write outside any transaction.
// WithinTx then rolls back and returns it instead of committing.
func Ended(ctx context.Context) error {
	c, _ := ctx.Value(txKey{}).(carried)
	return c.ended.get()
}

// txExecutor runs statements in a carried transaction and refuses writes
// once the transaction has ended. Single-row queries still run: on MySQL,
// the only dialect whose transactions end silently, the stores' single-row
// queries only read.
type txExecutor struct{ c carried }

func (e txExecutor) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := e.c.ended.get(); err != nil {
		return nil, err
	}
	res, err := e.c.tx.ExecContext(ctx, query, args...)
	return res, e.c.ended.note(err)
}

func (e txExecutor) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := e.c.ended.get(); err != nil {
		return nil, err
	}
	rows, err := e.c.tx.QueryContext(ctx, query, args...)
	return rows, e.c.ended.note(err)
}

func (e txExecutor) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return e.c.tx.QueryRowContext(ctx, query, args...)
}
