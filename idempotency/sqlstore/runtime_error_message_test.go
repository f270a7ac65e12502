package sqlstore_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// An unreachable database's error says so after this package's name, and
// never names the internal package that opened it.
func TestUnreachableMessageNamesThePublicPackage(t *testing.T) {
	err := sqldbtest.Closed(sqlstore.Open(context.Background(), sqlstore.Config{
		Dialect: sourceflow.Postgres, DSN: "postgres://u:p@127.0.0.1:1/db?sslmode=disable", ConnectTimeout: 2 * time.Second,
	}))
	require.ErrorIs(t, err, sqlstore.ErrUnreachable)
	assert.Regexp(t, `^sqlstore: database unreachable: postgres at 127\.0\.0\.1:1 \(within 2s\): `, err.Error())
	sqldbtest.NamesPackageOnce(t, "sqlstore", err)
}

// A schema newer than this program, a closed database given to New and a
// transaction that cannot begin each fail with an error naming this
// package once and what failed, never the internal package.
func TestRuntimeErrorMessagesNameThePublicPackage(t *testing.T) {
	ctx := context.Background()
	cfg := sqlstore.Config{Dialect: sourceflow.SQLite, Table: uniqueTable()}
	db, err := sql.Open("sqlite", dsnFor(t, sourceflow.SQLite, ""))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	s, err := sqlstore.New(ctx, db, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })

	newer := sqldb.Schema{VersionTable: cfg.Table + "_version", Steps: [][]string{{}, {}}}
	require.NoError(t, sqldb.Migrate(ctx, db, sourceflow.SQLite, newer))
	err = sqldbtest.Closed(sqlstore.New(ctx, db, cfg))
	require.ErrorIs(t, err, sqlstore.ErrSchemaTooNew)
	assert.Equal(t, "sqlstore: schema of "+cfg.Table+": database schema is newer than this program: "+
		cfg.Table+"_version records version 2, this program knows 1", err.Error())
	sqldbtest.NamesPackageOnce(t, "sqlstore", err)

	require.NoError(t, db.Close())
	err = sqldbtest.Closed(sqlstore.New(ctx, db, cfg))
	assert.Regexp(t, `^sqlstore: schema of `+cfg.Table+`: read the version of `+cfg.Table+`_version: `, err.Error())
	sqldbtest.NamesPackageOnce(t, "sqlstore", err)

	err = s.WithinTx(ctx, func(context.Context) error { return nil })
	assert.Equal(t, "sqlstore: begin a transaction: sql: database is closed", err.Error())
	sqldbtest.NamesPackageOnce(t, "sqlstore", err)
}
