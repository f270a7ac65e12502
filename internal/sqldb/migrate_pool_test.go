package sqldb_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// On MySQL a migration holds one connection while goose's lock table takes
// another: a pool capped at one is refused at once with ErrInvalidConfig
// naming MaxOpenConns, before any statement, instead of waiting for good;
// a pool of two, or uncapped, and PostgreSQL's pool of one, go on.
func TestMigrateRefusesAMySQLPoolOfOne(t *testing.T) {
	s := sqldb.Schema{VersionTable: "app_schema_version", Steps: [][]string{{"CREATE TABLE t (id INT)"}}}
	f := &sqldbtest.DB{}
	db := f.Open(t)
	db.SetMaxOpenConns(1)
	err := sqldbtest.Within(t, "Migrate", func() error { return sqldb.Migrate(context.Background(), db, sqldb.MySQL, s) })
	require.ErrorIs(t, err, sqldb.ErrInvalidConfig)
	assert.ErrorContains(t, err, "migrating app_schema_version on MySQL takes 2 connections at once (one for the migration, "+
		"one for its lock table), but the pool allows 1 (MaxOpenConns): raise it with DB.SetMaxOpenConns(2) or more")
	_, err = sqldb.Version(context.Background(), db, sqldb.MySQL, s)
	require.ErrorIs(t, err, sqldb.ErrInvalidConfig)
	assert.Empty(t, f.Ran(""), "statements run before the pool was refused")

	for _, tc := range []struct {
		d    sqldb.Dialect
		max  int
		name string
	}{{sqldb.MySQL, 2, "MySQL pool of two"}, {sqldb.MySQL, 0, "MySQL uncapped"}, {sqldb.Postgres, 1, "PostgreSQL pool of one"}} {
		db.SetMaxOpenConns(tc.max)
		_, err := sqldb.Version(context.Background(), db, tc.d, s)
		assert.NotErrorIs(t, err, sqldb.ErrInvalidConfig, tc.name)
	}
}
