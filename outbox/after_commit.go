package outbox

import (
	"context"
	"database/sql"
	"sync"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
)

// afterCommitBeginner begins the forwarder's transactions as
// afterCommitTx, so that what must happen once per row whose writes are
// durable (the dead-letter log line) waits for the poll's commit: a poll
// rolled back reads its rows again.
type afterCommitBeginner struct {
	wsql.Beginner
}

// BeginTx begins a transaction that runs the functions given to
// afterCommit once it commits.
func (b afterCommitBeginner) BeginTx(ctx context.Context, opts *sql.TxOptions) (wsql.Tx, error) {
	tx, err := b.Beginner.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &afterCommitTx{Tx: tx}, nil
}

// afterCommitTx is a transaction holding functions to run once it commits.
type afterCommitTx struct {
	wsql.Tx

	mu    sync.Mutex
	hooks []func()
}

// Commit commits the transaction and, when it did, runs the functions
// given to afterCommit, in order; it drops them either way.
func (t *afterCommitTx) Commit() error {
	err := t.Tx.Commit()
	for _, fn := range t.take() {
		if err == nil {
			fn()
		}
	}
	return err
}

// Rollback rolls the transaction back and drops the functions given to
// afterCommit.
func (t *afterCommitTx) Rollback() error {
	t.take()
	return t.Tx.Rollback()
}

func (t *afterCommitTx) take() []func() {
	t.mu.Lock()
	defer t.mu.Unlock()
	hooks := t.hooks
	t.hooks = nil
	return hooks
}

// afterCommit runs fn once exec commits when exec is an afterCommitTx, and
// at once otherwise: a write outside such a transaction is already done.
func afterCommit(exec wsql.ContextExecutor, fn func()) {
	tx, ok := exec.(*afterCommitTx)
	if !ok {
		fn()
		return
	}
	tx.mu.Lock()
	defer tx.mu.Unlock()
	tx.hooks = append(tx.hooks, fn)
}
