package sqldb_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// TestOpen_PoolKeepsFewIdleConnectionsAndClosesThemWhenIdle: after a burst
// that used 8 of its 16 connections, a pool keeps a quarter of its
// MaxOpenConns idle, and closes those too once idle for
// sqldb.ConnMaxIdleTime, so idle service processes do not hold the
// database's connections.
func TestOpen_PoolKeepsFewIdleConnectionsAndClosesThemWhenIdle(t *testing.T) {
	dsn := "file:" + filepath.Join(t.TempDir(), "pool.db")
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		db, err := sqldb.Open(ctx, sqldb.Config{Dialect: sqldb.SQLite, DSN: dsn, MaxOpenConns: 16})
		require.NoError(t, err)
		defer func() { _ = db.Close() }()
		conns := make([]*sql.Conn, 8)
		for i := range conns {
			conns[i], err = db.Conn(ctx)
			require.NoError(t, err)
		}
		for _, c := range conns {
			require.NoError(t, c.Close())
		}
		assert.Equal(t, 4, db.Stats().Idle, "a quarter of MaxOpenConns kept idle")

		time.Sleep(sqldb.ConnMaxIdleTime + time.Minute)
		synctest.Wait()
		assert.Zero(t, db.Stats().Idle, "idle connections closed after ConnMaxIdleTime")
	})
}

// TestMaxIdleConns: a quarter of MaxOpenConns, at least one.
func TestMaxIdleConns(t *testing.T) {
	for open, idle := range map[int]int{1: 1, 2: 1, 4: 1, 8: 2, 16: 4, 100: 25} {
		assert.Equal(t, idle, sqldb.MaxIdleConns(open), "MaxOpenConns %d", open)
	}
}
