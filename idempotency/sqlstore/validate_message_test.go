package sqlstore_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// Config.Validate reports its problems as Open and New do, and as sqlbus's
// and outbox's Validate do: as ErrInvalidConfig, naming this package once,
// each problem matching its own sentinel.
func TestValidateIsAnInvalidConfigNamingThePackage(t *testing.T) {
	err := sqlstore.Config{Dialect: "oracle", Table: "bad-", CleanupBatch: -1}.Validate()
	require.ErrorIs(t, err, sqlstore.ErrInvalidConfig)
	require.ErrorIs(t, err, sourceflow.ErrUnknownDialect)
	require.ErrorIs(t, err, sqlstore.ErrInvalidTable)
	assert.Regexp(t, `^sqlstore: invalid configuration: Config\.Dialect: unknown dialect: "oracle"`, err.Error())
	sqldbtest.NamesPackageOnce(t, "sqlstore", err)
}

// A zero Table stands for its default in Config.Validate, as in Open and
// New: a configuration Open takes is one Validate takes.
func TestValidateTakesTheDefaultTable(t *testing.T) {
	assert.NoError(t, sqlstore.Config{Dialect: sourceflow.SQLite}.Validate())
}
