package sqlstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// recordedVersion reads the schema version recorded for table.
func recordedVersion(t *testing.T, s *sqlstore.Store, d sourceflow.Dialect, table string) int64 {
	t.Helper()
	v, err := sqldb.Version(context.Background(), s.DB(), d,
		sqldb.Schema{VersionTable: table + "_version", Steps: [][]string{{"SELECT 1"}}})
	require.NoError(t, err)
	return v
}

func TestSchemaIsVersioned(t *testing.T) {
	for _, d := range dialects {
		t.Run(string(d.dialect), func(t *testing.T) {
			table := uniqueTable()
			s := openStore(t, d.dialect, d.env, sqlstore.Config{Table: table})
			assert.Equal(t, int64(1), recordedVersion(t, s, d.dialect, table))
		})
	}
}

// TestSchemaTooNewIsRefused records a version newer than the store knows, as
// a newer release would: Open, New and CreateSchema refuse the table, and
// SkipMigrations does not look.
func TestSchemaTooNewIsRefused(t *testing.T) {
	for _, d := range dialects {
		t.Run(string(d.dialect), func(t *testing.T) {
			ctx := context.Background()
			cfg := sqlstore.Config{Dialect: d.dialect, DSN: dsnFor(t, d.dialect, d.env), Table: uniqueTable()}
			s := openStore(t, d.dialect, d.env, cfg)
			newer := sqldb.Schema{VersionTable: cfg.Table + "_version", Steps: [][]string{{"SELECT 1"}, {"SELECT 1"}}}
			require.NoError(t, sqldb.Migrate(ctx, s.DB(), d.dialect, newer))

			_, err := sqlstore.New(ctx, s.DB(), cfg)
			require.ErrorIs(t, err, sqldb.ErrSchemaTooNew)
			assert.ErrorIs(t, err, sqlstore.ErrSchemaTooNew)
			assert.ErrorContains(t, err, cfg.Table)
			_, err = sqlstore.Open(ctx, cfg)
			require.ErrorIs(t, err, sqlstore.ErrSchemaTooNew)
			require.ErrorIs(t, s.CreateSchema(ctx), sqlstore.ErrSchemaTooNew)

			cfg.SkipMigrations = true
			skipped, err := sqlstore.New(ctx, s.DB(), cfg)
			require.NoError(t, err)
			require.NoError(t, skipped.Close())
			assert.Equal(t, int64(2), recordedVersion(t, s, d.dialect, cfg.Table), "nothing was rolled back")
		})
	}
}

// TestSchemaAdoptsTableOfEarlierVersions creates the table as releases
// before the versioned schema did, with a completed claim in it: the
// migration records version 1 and keeps the row.
func TestSchemaAdoptsTableOfEarlierVersions(t *testing.T) {
	for _, d := range dialects {
		t.Run(string(d.dialect), func(t *testing.T) {
			ctx := context.Background()
			table := uniqueTable()
			old := openStore(t, d.dialect, d.env, sqlstore.Config{Table: table, SkipMigrations: true})
			for _, stmt := range old.SchemaSQL() {
				_, err := old.DB().ExecContext(ctx, stmt)
				require.NoError(t, err)
			}
			k := idempotency.Key{Consumer: "c", MessageID: "m"}
			res, err := old.Claim(ctx, k, "", time.Minute)
			require.NoError(t, err)
			require.NoError(t, old.Complete(ctx, k, res.Token, time.Hour))

			s, err := sqlstore.New(ctx, old.DB(), sqlstore.Config{Dialect: d.dialect, Table: table})
			require.NoError(t, err)
			t.Cleanup(func() { require.NoError(t, s.Close()) })
			assert.Equal(t, int64(1), recordedVersion(t, s, d.dialect, table))
			res, err = s.Claim(ctx, k, "", time.Minute)
			require.NoError(t, err)
			assert.Equal(t, idempotency.Completed, res.Status, "the adopted table kept its rows")
		})
	}
}

// TestSchemaConcurrentInstances starts several stores on one new table at
// once: the migration lock lets exactly one create it and all succeed.
func TestSchemaConcurrentInstances(t *testing.T) {
	for _, d := range dialects {
		t.Run(string(d.dialect), func(t *testing.T) {
			table := uniqueTable()
			host := openStore(t, d.dialect, d.env, sqlstore.Config{Table: table, SkipMigrations: true})
			stores := make([]*sqlstore.Store, 4)
			errs := make([]error, len(stores))
			var wg sync.WaitGroup
			for i := range stores {
				wg.Go(func() {
					stores[i], errs[i] = sqlstore.New(context.Background(), host.DB(),
						sqlstore.Config{Dialect: d.dialect, Table: table})
				})
			}
			wg.Wait()
			for i, err := range errs {
				if assert.NoError(t, err) {
					require.NoError(t, stores[i].Close())
				}
			}
			assert.Equal(t, int64(1), recordedVersion(t, host, d.dialect, table))
		})
	}
}

// TestSchemaQualifiedTable keeps the version table in the table's schema.
func TestSchemaQualifiedTable(t *testing.T) {
	for _, d := range dialects {
		t.Run(string(d.dialect), func(t *testing.T) {
			ctx := context.Background()
			dsn := dsnFor(t, d.dialect, d.env)
			table := testSchema(t, d.dialect, dsn) + "." + uniqueTable()
			s := openStore(t, d.dialect, d.env, sqlstore.Config{DSN: dsn, Table: table})
			assert.Equal(t, int64(1), recordedVersion(t, s, d.dialect, table))
			res, err := s.Claim(ctx, idempotency.Key{Consumer: "c", MessageID: "m"}, "", time.Minute)
			require.NoError(t, err)
			assert.Equal(t, idempotency.Acquired, res.Status)
		})
	}
}

// testSchema returns a schema for a qualified table name: "main" on SQLite,
// the connection's database on MySQL, a new schema dropped after the test on
// PostgreSQL.
func testSchema(t *testing.T, d sourceflow.Dialect, dsn string) string {
	t.Helper()
	if d == sourceflow.SQLite {
		return "main"
	}
	db, err := sqldb.Open(context.Background(), sqldb.Config{Dialect: d, DSN: dsn})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	var name string
	if d == sourceflow.MySQL {
		require.NoError(t, db.QueryRow("SELECT DATABASE()").Scan(&name))
		return name
	}
	name = uniqueTable()
	_, err = db.Exec("CREATE SCHEMA " + name)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, err := db.Exec("DROP SCHEMA " + name + " CASCADE")
		assert.NoError(t, err)
	})
	return name
}
