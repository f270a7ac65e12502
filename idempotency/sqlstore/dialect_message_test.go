package sqlstore_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// An unknown dialect is a problem of an invalid configuration that names
// this package only, not the root package whose sentinel it matches.
func TestUnknownDialectNamesThePackageOnce(t *testing.T) {
	err := sqldbtest.Closed(sqlstore.Open(context.Background(), sqlstore.Config{Dialect: "oracle", DSN: "x"}))
	require.ErrorIs(t, err, sqlstore.ErrInvalidConfig)
	require.ErrorIs(t, err, sourceflow.ErrUnknownDialect)
	assert.Equal(t, `sqlstore: invalid configuration: Config.Dialect: unknown dialect: "oracle" (want "postgres", "mysql" or "sqlite")`, err.Error())
	sqldbtest.NamesPackageOnce(t, "sqlstore", err)
}
