package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// TestOpenUnreachableIsBoundedAndNamesTheAddress opens a PostgreSQL DSN on a
// closed local port: Open fails promptly with ErrUnreachable naming the
// address, without the password.
func TestOpenUnreachableIsBoundedAndNamesTheAddress(t *testing.T) {
	start := time.Now()
	s, err := sqlstore.Open(context.Background(), sqlstore.Config{
		Dialect: sourceflow.Postgres,
		DSN:     "postgres://user:secret@127.0.0.1:1/cqrs?sslmode=disable",
	})
	if s != nil {
		_ = s.Close()
	}
	require.Error(t, err)
	assert.ErrorIs(t, err, sqldb.ErrUnreachable)
	assert.ErrorIs(t, err, sqlstore.ErrUnreachable)
	assert.Contains(t, err.Error(), "127.0.0.1:1")
	assert.NotContains(t, err.Error(), "secret", "the error must not leak the password")
	assert.Less(t, time.Since(start), 5*time.Second)
}

// TestMigrationsRunOnceAndRefuseANewerSchema migrates twice (the second run
// changes nothing), then records a version newer than the code knows: Open
// and New refuse the database with ErrSchemaTooNew, and SkipMigrations
// leaves the check to whoever manages the schema.
func TestMigrationsRunOnceAndRefuseANewerSchema(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		dsn := d.dsn(t)
		cfg := sqlstore.Config{Dialect: d.dialect, DSN: dsn, TablePrefix: uniquePrefix()}
		s := d.open(t, cfg)
		again, err := sqlstore.New(ctx, s.DB(), cfg)
		require.NoError(t, err, "a second migration changes nothing")
		require.NoError(t, again.Close())
		version := sqldb.Schema{VersionTable: cfg.TablePrefix + "schema_version", Steps: [][]string{{}}}
		v, err := sqldb.Version(ctx, s.DB(), d.dialect, version)
		require.NoError(t, err)
		assert.Equal(t, int64(1), v)

		// A newer program added a step.
		version.Steps = [][]string{{}, {}}
		require.NoError(t, sqldb.Migrate(ctx, s.DB(), d.dialect, version))

		_, err = sqlstore.New(ctx, s.DB(), cfg)
		require.ErrorIs(t, err, sqlstore.ErrSchemaTooNew)
		assert.ErrorIs(t, err, sqldb.ErrSchemaTooNew)
		assert.Contains(t, err.Error(), cfg.TablePrefix+"schema_version")
		_, err = sqlstore.Open(ctx, cfg)
		require.ErrorIs(t, err, sqlstore.ErrSchemaTooNew)

		cfg.SkipMigrations = true
		skipped, err := sqlstore.New(ctx, s.DB(), cfg)
		require.NoError(t, err)
		_, err = skipped.Commands().NextSequence(ctx, "e")
		require.NoError(t, err, "the tables exist")
	})
}

// TestSchemaSQLCreatesTheTables opens a store that skips migrations on an
// empty database: its tables are missing until the operator runs SchemaSQL,
// and then every store works.
func TestSchemaSQLCreatesTheTables(t *testing.T) {
	eachDialect(t, func(t *testing.T, d dialect) {
		ctx := context.Background()
		s := d.open(t, sqlstore.Config{SkipMigrations: true})
		_, err := s.Commands().NextSequence(ctx, "e")
		require.Error(t, err, "no table exists before SchemaSQL runs")

		stmts := s.SchemaSQL()
		require.NotEmpty(t, stmts)
		for _, stmt := range stmts {
			_, err := s.DB().ExecContext(ctx, stmt)
			require.NoError(t, err, stmt)
		}
		seq, err := s.Commands().NextSequence(ctx, "e")
		require.NoError(t, err)
		assert.Equal(t, int64(1), seq)
		require.NoError(t, s.Commands().Append(ctx, command("e", seq, "m-1")))
		require.NoError(t, s.Entities().Save(ctx, "k", "id", []byte("x"), 0))
		require.NoError(t, s.Views().Save(ctx, "k", "id", []byte("v"), 0))
	})
}

// TestSchemaQualifiedPrefix keeps the tables in their own PostgreSQL schema.
func TestSchemaQualifiedPrefix(t *testing.T) {
	d := dialects[1]
	require.Equal(t, sourceflow.Postgres, d.dialect)
	dsn := d.dsn(t)
	ctx := context.Background()
	schemaName := uniquePrefix() + "schema"
	plain := d.open(t, sqlstore.Config{DSN: dsn})
	_, err := plain.DB().Exec("CREATE SCHEMA " + schemaName)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, err := plain.DB().Exec("DROP SCHEMA " + schemaName + " CASCADE")
		assert.NoError(t, err)
	})

	s := d.open(t, sqlstore.Config{DSN: dsn, TablePrefix: schemaName + ".sf_"})
	seq, err := s.Commands().NextSequence(ctx, "e")
	require.NoError(t, err)
	assert.Equal(t, int64(1), seq)
	require.NoError(t, s.Entities().Save(ctx, "k", "id", []byte("x"), 0))
	var n int
	require.NoError(t, s.DB().QueryRow("SELECT COUNT(*) FROM "+schemaName+".sf_entities").Scan(&n))
	assert.Equal(t, 1, n)
}
