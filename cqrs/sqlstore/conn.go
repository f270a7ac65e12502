package sqlstore

import (
	"context"
	"database/sql"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// conn is the database every store of a Store writes to, and the
// transaction methods they share.
type conn struct {
	db      *sql.DB
	source  string // sqldb.SourceOf the DSN Open opened db with, "" for New
	dialect sqldb.Dialect
	packet  *sqldb.PacketLimit // MySQL's max_allowed_packet, read on the first write
}

// JoinsTransaction implements cqrs.TransactionJoiner: calls join a
// transaction ctx carries on this database.
func (c conn) JoinsTransaction(ctx context.Context) bool {
	return sqldb.TxFor(ctx, c.db) != nil
}

// WithinTx implements sourceflow.Transactor (see Store.WithinTx).
func (c conn) WithinTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return sqldb.WithinTx(ctx, "sqlstore", c.db, c.source, c.dialect, fn)
}

// exec returns the transaction ctx carries on this database, or the
// database itself; it refuses a transaction on another pool of the same
// database (sqldb.ErrSecondPool).
func (c conn) exec(ctx context.Context) (sqldb.Executor, error) {
	return sqldb.ExecutorFor(ctx, c.db, c.source)
}
