package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// packetDriver is a database whose every query answers one row holding
// 4096, as SELECT @@max_allowed_packet does.
type packetDriver struct{}

func (packetDriver) Connect(context.Context) (driver.Conn, error) { return packetConn{}, nil }
func (packetDriver) Driver() driver.Driver                        { return nil }

type packetConn struct{}

func (packetConn) Prepare(string) (driver.Stmt, error) { return packetStmt{}, nil }
func (packetConn) Close() error                        { return nil }
func (packetConn) Begin() (driver.Tx, error)           { return packetTx{}, nil }

type packetTx struct{}

func (packetTx) Commit() error   { return nil }
func (packetTx) Rollback() error { return nil }

type packetStmt struct{}

func (packetStmt) Close() error                               { return nil }
func (packetStmt) NumInput() int                              { return -1 }
func (packetStmt) Exec([]driver.Value) (driver.Result, error) { return nil, errors.New("no writes") }
func (packetStmt) Query([]driver.Value) (driver.Rows, error)  { return &packetRows{}, nil }

type packetRows struct{ done bool }

func (*packetRows) Columns() []string { return []string{"@@max_allowed_packet"} }
func (*packetRows) Close() error      { return nil }
func (r *packetRows) Next(dest []driver.Value) error {
	if r.done {
		return io.EOF
	}
	r.done = true
	dest[0] = int64(4096)
	return nil
}

// A first read of the limit through a transaction answers while another
// first read, through the pool, waits for a connection that transaction
// holds: the limit is not locked across the read, so a transaction that
// needs the limit to go on is not stuck behind a reader waiting for the
// transaction's own connection (a store with a pool of one, or of as many
// connections as transactions under way).
func TestPacketLimitReadInATransactionDoesNotWaitForAPoolReader(t *testing.T) {
	db := sql.OpenDB(packetDriver{})
	t.Cleanup(func() { _ = db.Close() })
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	var limit PacketLimit

	poolRead := make(chan error, 1)
	go func() {
		_, err := limit.Bytes(ctx, db) // waits for the connection tx holds
		poolRead <- err
	}()
	require.Eventually(t, func() bool { return db.Stats().WaitCount > 0 }, 10*time.Second, time.Millisecond,
		"the pool reader waits for the transaction's connection")

	txRead := make(chan int, 1)
	go func() {
		n, err := limit.Bytes(ctx, tx)
		assert.NoError(t, err)
		txRead <- n
	}()
	select {
	case n := <-txRead:
		assert.Equal(t, 4096, n)
	case <-time.After(10 * time.Second):
		_ = tx.Rollback() // lets the pool reader, and then the transaction's read, end
		<-poolRead
		t.Fatal("the read in the transaction waited for the pool reader, which waits for the transaction's connection: deadlock")
	}
	require.NoError(t, tx.Rollback())
	require.NoError(t, <-poolRead)
}
