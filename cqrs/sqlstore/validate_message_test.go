package sqlstore_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// Config.Validate reports its problems as Open and New do, and as sqlbus's
// and outbox's Validate do: as ErrInvalidConfig, naming this package once,
// each problem matching its own sentinel.
func TestValidateIsAnInvalidConfigNamingThePackage(t *testing.T) {
	err := sqlstore.Config{Dialect: "oracle", TablePrefix: "bad-", MaxOpenConns: -1}.Validate()
	sqldbtest.InvalidConfig(t, "sqlstore", err, sqlstore.ErrInvalidConfig, sourceflow.ErrUnknownDialect, sqlstore.ErrInvalidTablePrefix)
	assert.Regexp(t, `^sqlstore: invalid configuration: Config\.Dialect: unknown dialect: "oracle"`, err.Error())

	assert.NoError(t, sqlstore.Config{Dialect: sourceflow.SQLite}.Validate())
}

// An unknown dialect is a problem of an invalid configuration that names
// this package only, not the root package whose sentinel it matches.
func TestUnknownDialectNamesThePackageOnce(t *testing.T) {
	err := sqldbtest.Closed(sqlstore.Open(context.Background(), sqlstore.Config{Dialect: "oracle", DSN: "x"}))
	sqldbtest.InvalidConfig(t, "sqlstore", err, sqlstore.ErrInvalidConfig, sourceflow.ErrUnknownDialect)
	assert.Equal(t, `sqlstore: invalid configuration: Config.Dialect: unknown dialect: "oracle" (want "postgres", "mysql" or "sqlite")`, err.Error())
}
