package sqldb_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// TestOpen_SQLiteSharedMemoryDatabaseOutlivesIdleTime: SQLite deletes a
// shared-cache in-memory database when its last connection closes, so a
// SQLite pool keeps its idle connections however long it is unused (they
// hold no server's connections): the tables and rows are still there after
// a quiet spell longer than sqldb.ConnMaxIdleTime.
func TestOpen_SQLiteSharedMemoryDatabaseOutlivesIdleTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		db, err := sqldb.Open(ctx, sqldb.Config{Dialect: sqldb.SQLite, DSN: "file:idle_pool?mode=memory&cache=shared"})
		require.NoError(t, err)
		defer func() { _ = db.Close() }()
		_, err = db.ExecContext(ctx, "CREATE TABLE kept (x INTEGER)")
		require.NoError(t, err)
		_, err = db.ExecContext(ctx, "INSERT INTO kept VALUES (1)")
		require.NoError(t, err)

		time.Sleep(sqldb.ConnMaxIdleTime + time.Minute)
		synctest.Wait()
		var n int
		require.NoError(t, db.QueryRowContext(ctx, "SELECT count(*) FROM kept").Scan(&n), "the database outlived the quiet spell")
		require.Equal(t, 1, n)
	})
}
