package sqldb_test

import (
	"context"
	"database/sql"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// silentServer accepts connections and never answers, as a database
// that stopped answering does; it returns its address.
func silentServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var held []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		<-done
		for _, c := range held {
			_ = c.Close()
		}
	})
	return l.Addr().String()
}

// TestCheck_UnreachableNamesTheBoundThatEndedIt checks that a database
// that does not answer before the caller's deadline, earlier than the
// check's timeout, is reported with that deadline: a readiness probe
// bounding the check to 100ms must not read that the database was given
// 10s to answer.
func TestCheck_UnreachableNamesTheBoundThatEndedIt(t *testing.T) {
	dsn := "postgres://u@" + silentServer(t) + "/db?sslmode=disable"
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
