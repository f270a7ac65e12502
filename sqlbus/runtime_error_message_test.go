package sqlbus_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// The functions on a destination's tables, given a closed database, fail
// with an error naming this package once and what failed, never the
// internal package that ran the statements.
func TestRuntimeErrorMessagesNameThePublicPackage(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("pgx", "postgres://u:p@127.0.0.1:1/db")
	require.NoError(t, err)
	require.NoError(t, db.Close())
	cfg := sqlbus.Config{DB: db, Dialect: sourceflow.Postgres}

	_, err = sqlbus.Prune(ctx, cfg, "orders")
	assert.Equal(t, `sqlbus: prune "orders": read the consumed position of orders: sql: database is closed`, err.Error())
	sqldbtest.NamesPackageOnce(t, "sqlbus", err)
	_, _, err = sqlbus.DeadLetters(ctx, cfg, "orders", sqlbus.DeadLetterQuery{Max: 1000})
	assert.Equal(t, `sqlbus: read dead letters of "orders": look up table watermill_orders$dlq: sql: database is closed`, err.Error())
	sqldbtest.NamesPackageOnce(t, "sqlbus", err)
	_, err = sqlbus.ConsumerGroups(ctx, cfg, "orders")
	sqldbtest.NamesPackageOnce(t, "sqlbus", err)
	_, err = sqlbus.RemoveConsumerGroup(ctx, cfg, "orders", "billing")
	sqldbtest.NamesPackageOnce(t, "sqlbus", err)
	_, err = sqlbus.Depths(ctx, cfg, "billing", "orders")
	sqldbtest.NamesPackageOnce(t, "sqlbus", err)
	_, err = sqlbus.Redrive(ctx, cfg, "orders")
	sqldbtest.NamesPackageOnce(t, "sqlbus", err)
}
