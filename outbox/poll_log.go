package outbox

import (
	"context"
	"database/sql"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"

	"github.com/sourceflow-go/sourceflow/internal/repeatlog"
)

// clearingBeginner begins the polls of the forwarder's watermill-sql
// subscribers, which log their failures through log: while the database
// is down, watermill-sql logs a failed poll at every retry (about once a
// second), and log passes the first, then one a minute with the number
// held back (repeatlog.Logger). A poll that commits says the database
// answers again: it ends log's rows, which logs that they cleared.
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
