package sqldb

import (
	"context"
	"database/sql"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// burst takes n connections of db at once, then gives them back.
func burst(t *testing.T, db *sql.DB, n int) {
	t.Helper()
	conns := make([]*sql.Conn, n)
	for i := range conns {
		c, err := db.Conn(context.Background())
		require.NoError(t, err)
		conns[i] = c
	}
	for _, c := range conns {
		require.NoError(t, c.Close())
	}
}

// TestLimitPool_ServerPoolKeepsFewIdleConnectionsAndClosesThemWhenIdle:
// after a burst that used 8 of its 16 connections, a PostgreSQL or MySQL
// pool keeps a quarter of its MaxOpenConns idle, and closes those too once
// idle for ConnMaxIdleTime, so idle service processes do not hold the
// server's connections.
func TestLimitPool_ServerPoolKeepsFewIdleConnectionsAndClosesThemWhenIdle(t *testing.T) {
	for _, d := range []Dialect{Postgres, MySQL} {
		t.Run(string(d), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				db := (&sqldbtest.DB{}).Open(t)
				limitPool(db, d, 16)
				burst(t, db, 8)
				assert.Equal(t, 4, db.Stats().Idle, "a quarter of MaxOpenConns kept idle")

				time.Sleep(ConnMaxIdleTime + time.Minute)
				synctest.Wait()
				assert.Zero(t, db.Stats().Idle, "idle connections closed after ConnMaxIdleTime")
			})
		})
	}
}

// TestLimitPool_SQLitePoolKeepsItsIdleConnections: a SQLite pool keeps
// every connection a burst opened, however long unused (see
// TestOpen_SQLiteSharedMemoryDatabaseOutlivesIdleTime for why).
func TestLimitPool_SQLitePoolKeepsItsIdleConnections(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := (&sqldbtest.DB{}).Open(t)
		limitPool(db, SQLite, 16)
		burst(t, db, 8)

		time.Sleep(ConnMaxIdleTime + time.Minute)
		synctest.Wait()
		assert.Equal(t, 8, db.Stats().Idle, "every idle connection kept")
	})
}
