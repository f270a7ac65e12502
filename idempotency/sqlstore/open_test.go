package sqlstore_test

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// TestOpenUnreachableIsBoundedAndNamesTheAddress opens a PostgreSQL DSN on a
// closed local port: Open fails promptly with ErrUnreachable naming the
// address instead of hanging.
func TestOpenUnreachableIsBoundedAndNamesTheAddress(t *testing.T) {
	start := time.Now()
	s, err := sqlstore.Open(context.Background(), sqlstore.Config{
		Dialect: sourceflow.Postgres,
		DSN:     "postgres://user:secret@127.0.0.1:1/idem?sslmode=disable",
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

// silentListener accepts connections and never answers; it closes them when
// the test ends.
func silentListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return ln.Addr().String()
}

// TestOpenSilentDatabaseIsBoundedByConnectTimeout opens a server that accepts
// the connection and never answers: Open gives up after ConnectTimeout.
func TestOpenSilentDatabaseIsBoundedByConnectTimeout(t *testing.T) {
	addr := silentListener(t)
	start := time.Now()
	s, err := sqlstore.Open(context.Background(), sqlstore.Config{
		Dialect:        sourceflow.Postgres,
		DSN:            "postgres://user:secret@" + addr + "/idem?sslmode=disable",
		ConnectTimeout: 300 * time.Millisecond,
	})
	if s != nil {
		_ = s.Close()
	}
	require.ErrorIs(t, err, sqldb.ErrUnreachable)
	assert.Contains(t, err.Error(), addr)
	assert.Less(t, time.Since(start), 5*time.Second, "ConnectTimeout did not bound Open")
}
