package sqldb

import (
	"context"
	"database/sql"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"

	"github.com/sourceflow-go/sourceflow/internal/repeatlog"
)

// PollLog is the log of a watermill-sql subscriber's polls. While the
// database is down, watermill-sql logs a failed poll at every retry (about
// once a second); PollLog passes the first, then one per interval with the
// number held back (repeatlog.Logger). A poll that commits says the
// database answers again: it ends the rows, which logs that they cleared.
// Give one PollLog to one subscription (or to subscribers that follow one
// another): another subscription's commits would clear its rows.
type PollLog struct {
	log *repeatlog.Logger
}

// NewPollLog returns the PollLog over l whose repeated failures are logged
// at most once per interval.
func NewPollLog(l watermill.LoggerAdapter, interval time.Duration) PollLog {
	return PollLog{log: repeatlog.NewLogger(l, interval)}
}

// Logger returns the logger to give the subscriber: its failed polls
// bounded, and a cancellation at Close logged at debug level
// (SubscriberLogger).
func (p PollLog) Logger() watermill.LoggerAdapter {
	return SubscriberLogger(p.log)
}

// Beginner returns b beginning the subscriber's transactions so that one
// that commits clears the log.
func (p PollLog) Beginner(b wsql.Beginner) wsql.Beginner {
	return clearingBeginner{Beginner: b, log: p.log}
}

// clearingBeginner begins transactions whose commit clears log.
type clearingBeginner struct {
	wsql.Beginner
	log *repeatlog.Logger
}

// BeginTx begins a transaction whose commit clears b's log.
func (b clearingBeginner) BeginTx(ctx context.Context, opts *sql.TxOptions) (wsql.Tx, error) {
	tx, err := b.Beginner.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return clearingTx{Tx: tx, log: b.log}, nil
}

// clearingTx is a poll's transaction; its commit clears log.
type clearingTx struct {
	wsql.Tx
	log *repeatlog.Logger
}

// Commit commits the transaction and, when it did, clears t's log.
func (t clearingTx) Commit() error {
	err := t.Tx.Commit()
	if err == nil {
		t.log.Cleared()
	}
	return err
}
