package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
)

// DefaultPollBound is the bound of each database call of a poll for a
// subscriber that has no AckDeadline of its own to bound them with (the
// outbox forwarder): watermill-sql's default AckDeadline.
const DefaultPollBound = 30 * time.Second

// boundedBeginner begins watermill-sql's poll transactions (those begun with
// options) so that each database call of the poll, its BeginTx, each
// statement and its Commit or Rollback, gets no more than bound: a
// connection that went silent (dropped without a reset, as behind a proxy
// after a failover) then ends the poll with an error the subscriber logs,
// the driver drops the connection, and the next poll runs on another. The
// subscriber runs its polls on the subscription's context, which has no
// deadline. After a cut it also drops the pool's idle connections that
// went silent (sweepIdle). Other transactions and statements pass through
// unchanged.
type boundedBeginner struct {
	wsql.Beginner
	db    *sql.DB // swept after a cut (sweepIdle)
	pkg   string
	key   string
	bound time.Duration
	knob  string // the setting that raises bound, named in noReply's error
	mysql bool
}

// BeginTx begins a transaction; for a poll, within the bound.
func (b boundedBeginner) BeginTx(ctx context.Context, opts *sql.TxOptions) (wsql.Tx, error) {
	if opts == nil || b.bound <= 0 {
		return b.Beginner.BeginTx(ctx, opts)
	}
	txCtx, cancel := context.WithCancel(ctx)
	timer := time.AfterFunc(b.bound, cancel)
	tx, err := b.Beginner.BeginTx(txCtx, opts)
	if !timer.Stop() {
		if err == nil {
			_ = tx.Rollback()
		}
		cancel()
		return nil, b.noReply("begin", b.bound)
	}
	if err != nil {
		cancel()
		return nil, err
	}
	return &boundedTx{Tx: tx, b: b, cancel: cancel}, nil
}

// noReply sweeps the pool's idle connections (sweepIdle), then returns
// the error of a poll's call (what) that got no reply within d. The error
// the driver reports for a cut call may read "context canceled", which
// SubscriberLogger takes for a subscriber closing: it is left out, so that
// the subscriber logs the poll's cut as an error.
func (b boundedBeginner) noReply(what string, d time.Duration) error {
	if b.db != nil {
		sweepIdle(b.db)
	}
	err := fmt.Errorf("%s: poll of %q: the database did not answer its %s within %v; "+
		"its connection is dropped and the next poll opens another", b.pkg, b.key, what, d)
	if b.knob != "" {
		err = fmt.Errorf("%w (if the database answers, only slower than that, as with a large batch or a long "+
			"lock wait, every poll is cut the same way: raise %s)", err, b.knob)
	}
	return err
}

// boundedTx is a poll's transaction whose calls are bounded (see
// boundedBeginner); cancel ends the context it was begun on.
type boundedTx struct {
	wsql.Tx
	b      boundedBeginner
	cancel context.CancelFunc
}

// ExecContext runs a statement within the bound.
func (t *boundedTx) ExecContext(ctx context.Context, query string, args ...any) (wsql.Result, error) {
	return t.execWithin(ctx, t.b.bound, "statement", query, args...)
}

// execWithin runs a statement within bound; what names it in the error.
func (t *boundedTx) execWithin(ctx context.Context, bound time.Duration, what, query string, args ...any) (wsql.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, bound)
	defer cancel()
	res, err := t.Tx.ExecContext(ctx, query, args...)
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return nil, t.b.noReply(what, bound)
	}
	return res, err
}

// QueryContext runs a query within the bound, which keeps running until
// its rows are read or closed.
func (t *boundedTx) QueryContext(ctx context.Context, query string, args ...any) (wsql.Rows, error) {
	ctx, cancel := context.WithTimeout(ctx, t.b.bound)
	rows, err := t.Tx.QueryContext(ctx, query, args...)
	if err != nil {
		timedOut := errors.Is(ctx.Err(), context.DeadlineExceeded)
		cancel()
		if timedOut {
			return nil, t.b.noReply("query", t.b.bound)
		}
		return nil, err
	}
	return boundedRows{Rows: rows, cancel: cancel}, nil
}

// Commit commits within the bound.
func (t *boundedTx) Commit() error { return t.end("COMMIT", t.Tx.Commit) }

// Rollback rolls back within the bound.
func (t *boundedTx) Rollback() error { return t.end("ROLLBACK", t.Tx.Rollback) }

// end commits or rolls back (stmt, end) within the bound. PostgreSQL's
// driver ends a transaction on the context it began on, which a timer
// cancels; MySQL's takes no context, so the statement runs first as one,
// bounded like the others, and end then finds no transaction left on the
// server (a no-op there) or a connection already dropped.
func (t *boundedTx) end(stmt string, end func() error) error {
	defer t.cancel()
	if t.b.mysql {
		if _, err := t.execWithin(context.Background(), t.b.bound, stmt, stmt); err != nil {
			_ = t.Tx.Rollback()
			return err
		}
		return end()
	}
	timer := time.AfterFunc(t.b.bound, t.cancel)
	err := end()
	if !timer.Stop() && err != nil {
		return t.b.noReply(stmt, t.b.bound)
	}
	return err
}

// boundedRows are a bounded query's rows: reading them to the end or
// closing them ends the query's context.
type boundedRows struct {
	wsql.Rows
	cancel context.CancelFunc
}

// Next advances to the next row, ending the context after the last.
func (r boundedRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.cancel()
	return false
}

// Close closes the rows and ends the query's context.
func (r boundedRows) Close() error {
	defer r.cancel()
	return r.Rows.Close()
}
