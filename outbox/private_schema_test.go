package outbox_test

import (
	"context"
	"database/sql"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// openPrivate opens the PostgreSQL test database with a schema of its own
// first on the search path, dropped with its tables after the test: tables
// of fixed names, such as the earlier releases' default outbox, are then
// the test's alone, whatever other tests or programs left in the shared
// schema.
func openPrivate(t *testing.T, d dialect) *sql.DB {
	t.Helper()
	require.Equal(t, sourceflow.Postgres, d.dialect, "a private schema is PostgreSQL's")
	shared := d.open(t)
	schema := uniqueName("test")
	_, err := shared.Exec(`CREATE SCHEMA "` + schema + `"`)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, err := shared.Exec(`DROP SCHEMA "` + schema + `" CASCADE`)
		assert.NoError(t, err)
	})
	u, err := url.Parse(d.dsn(t))
	require.NoError(t, err, "the PostgreSQL test DSN is a URL")
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := sqldb.Open(context.Background(), sqldb.Config{Dialect: d.dialect, DSN: u.String()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// backdate makes the rows of the outbox table of topic look written an
// hour earlier, as rows left there that long ago are.
func backdate(t *testing.T, d dialect, db *sql.DB, topic string) {
	t.Helper()
	_, err := db.Exec(`UPDATE ` + d.quote("watermill_"+topic) + ` SET created_at = created_at - INTERVAL '1 hour'`)
	require.NoError(t, err)
}
