package sqldb_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// TestCheck_UnreachableNamesTheBoundThatEndedIt checks that a database
// that does not answer before the caller's deadline, earlier than the
// check's timeout, is reported with that deadline: a readiness probe
// bounding the check to 100ms must not read that the database was given
// 10s to answer.
func TestCheck_UnreachableNamesTheBoundThatEndedIt(t *testing.T) {
	dsn := "postgres://u@" + sqldbtest.SilentServer(t) + "/db?sslmode=disable"
	db, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err = sqldbtest.Within(t, "Check", func() error {
		return sqldb.Check(ctx, db, sourceflow.Postgres, dsn, 10*time.Second)
	})
	require.ErrorIs(t, err, sqldb.ErrUnreachable)
	assert.NotContains(t, err.Error(), "within 10s", "the check ended at the caller's deadline, after about 100ms")
	assert.Contains(t, err.Error(), ", the caller's deadline): ")
}
