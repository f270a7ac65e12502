package sqldb_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// openEach opens every dialect whose database is available: SQLite always,
// PostgreSQL and MySQL when make test set their DSNs.
func openEach(t *testing.T, fn func(t *testing.T, d sqldb.Dialect, db *sql.DB)) {
	openDialects(t, []sqldb.Dialect{sqldb.SQLite, sqldb.Postgres, sqldb.MySQL}, fn)
}

// openDialects opens each of dialects as openEach does.
func openDialects(t *testing.T, dialects []sqldb.Dialect, fn func(t *testing.T, d sqldb.Dialect, db *sql.DB)) {
	envs := map[sqldb.Dialect]string{sqldb.Postgres: "SOURCEFLOW_POSTGRES_DSN", sqldb.MySQL: "SOURCEFLOW_MYSQL_DSN"}
	for _, d := range dialects {
		tc := struct {
			d   sqldb.Dialect
			env string
		}{d, envs[d]}
		t.Run(string(tc.d), func(t *testing.T) {
			dsn := "file:" + filepath.Join(t.TempDir(), "s.db")
			if tc.env != "" {
				if dsn = os.Getenv(tc.env); dsn == "" {
					if tc.d == sqldb.Postgres && postgresRequired {
						t.Fatalf("%s is not set: make test starts PostgreSQL and sets it", tc.env)
					}
					t.Skipf("SKIPPED: %s is not set (make test sets it)", tc.env)
				}
			}
			db, err := sqldb.Open(context.Background(), sqldb.Config{Dialect: tc.d, DSN: dsn})
			require.NoError(t, err)
			t.Cleanup(func() { _ = db.Close() })
			fn(t, tc.d, db)
		})
	}
}

func uniqueName(prefix string) string {
	return prefix + "_" + strings.ToLower(rand.Text()[:10])
}

func TestMigrateAppliesStepsOnceAndRefusesANewerSchema(t *testing.T) {
	openEach(t, func(t *testing.T, d sqldb.Dialect, db *sql.DB) {
		ctx := context.Background()
		table := uniqueName("mig")
		s := sqldb.Schema{VersionTable: table + "_version", Steps: [][]string{
			{"CREATE TABLE " + table + " (id INTEGER NOT NULL PRIMARY KEY)"},
		}}
		t.Cleanup(func() {
			_, _ = db.Exec("DROP TABLE " + table)
			_, _ = db.Exec("DROP TABLE " + s.VersionTable)
		})
		require.NoError(t, sqldb.Migrate(ctx, db, d, s))
		require.NoError(t, sqldb.Migrate(ctx, db, d, s), "a second run changes nothing")
		v, err := sqldb.Version(ctx, db, d, s)
		require.NoError(t, err)
		assert.Equal(t, int64(1), v)

		s.Steps = append(s.Steps, []string{"ALTER TABLE " + table + " ADD COLUMN note VARCHAR(20)"})
		require.NoError(t, sqldb.Migrate(ctx, db, d, s), "an added step upgrades")
		_, err = db.Exec(sqldb.Rebind(d, "INSERT INTO "+table+" (id, note) VALUES (?, ?)"), 1, "x")
		require.NoError(t, err)

		older := sqldb.Schema{VersionTable: s.VersionTable, Steps: s.Steps[:1]}
		err = sqldb.Migrate(ctx, db, d, older)
		require.ErrorIs(t, err, sqldb.ErrSchemaTooNew)
		assert.Contains(t, err.Error(), "version 2")
	})
}

func TestMigrateConcurrentInstances(t *testing.T) {
	openEach(t, func(t *testing.T, d sqldb.Dialect, db *sql.DB) {
		table := uniqueName("conc")
		s := sqldb.Schema{VersionTable: table + "_version", Steps: [][]string{
			{"CREATE TABLE " + table + " (id INTEGER NOT NULL PRIMARY KEY)"},
			{"CREATE INDEX " + table + "_idx ON " + table + " (id)"},
		}}
		t.Cleanup(func() {
			_, _ = db.Exec("DROP TABLE " + table)
			_, _ = db.Exec("DROP TABLE " + s.VersionTable)
		})
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() { errs[i] = sqldb.Migrate(context.Background(), db, d, s) })
		}
		wg.Wait()
		for _, err := range errs {
			assert.NoError(t, err)
		}
		v, err := sqldb.Version(context.Background(), db, d, s)
		require.NoError(t, err)
		assert.Equal(t, int64(2), v)
	})
}
