//go:build integration

package sqldb_test

import (
	"database/sql"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// A pgx connection opened with the name of a registered connection config,
// a DSN pgx.ParseConfig cannot read, is named by its own socket, as when no
// DSN is given, not by a placeholder for a DSN that cannot be read.
func TestCheckLinkOfAPgxConnectionByARegisteredConfigNamesItsSocket(t *testing.T) {
	dsn := os.Getenv("SOURCEFLOW_POSTGRES_DSN")
	require.NotEmpty(t, dsn, "SOURCEFLOW_POSTGRES_DSN is not set: start scripts/postgres.sh")
	cfg, err := pgx.ParseConfig(dsn)
	require.NoError(t, err)
	name := stdlib.RegisterConnConfig(cfg)
	t.Cleanup(func() { stdlib.UnregisterConnConfig(name) })
	db, err := sql.Open("pgx", name)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	socket, err := sqldb.CheckLink(t.Context(), db, sqldb.Postgres, "")
	require.NoError(t, err)

	l, err := sqldb.CheckLink(t.Context(), db, sqldb.Postgres, name)

	require.NoError(t, err)
	assert.Equal(t, socket, l)
	assert.NotEmpty(t, l.Addr)
}
