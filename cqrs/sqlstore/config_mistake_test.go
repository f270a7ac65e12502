package sqlstore_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// TestOpen_UnreadableDSNIsInvalidConfig: a DSN the dialect's driver cannot
// read is ErrInvalidConfig, not ErrUnreachable, as
// sqldbtest.OpenRefusesUnreadableDSN details.
func TestOpen_UnreadableDSNIsInvalidConfig(t *testing.T) {
	sqldbtest.OpenRefusesUnreadableDSN(t, sqlstore.ErrInvalidConfig, sqlstore.ErrUnreachable, func(dsn string) error {
		return sqldbtest.Closed(sqlstore.Open(context.Background(), sqlstore.Config{Dialect: sourceflow.Postgres, DSN: dsn}))
	})
}

// TestNew_DatabaseOfAnotherDialectIsInvalidConfig: a database of another
// dialect's driver than Config.Dialect is ErrInvalidConfig, as
// sqldbtest.NewRefusesOtherDriver details.
func TestNew_DatabaseOfAnotherDialectIsInvalidConfig(t *testing.T) {
	sqldbtest.NewRefusesOtherDriver(t, sqlstore.ErrInvalidConfig, func(db *sql.DB, dialect string) error {
		return sqldbtest.Closed(sqlstore.New(context.Background(), db, sqlstore.Config{Dialect: sourceflow.Dialect(dialect)}))
	})
}
