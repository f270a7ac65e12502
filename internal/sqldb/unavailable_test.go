package sqldb_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// closedPort returns a local TCP port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	return port
}

// A transaction that cannot begin because the database refuses the
// connection (stopped) fails with an error marked
// sourceflow.StoreUnavailable, its text unchanged, so that a transport
// does not count the failure against the message's deliveries.
func TestWithinTxMarksARefusedConnectionStoreUnavailable(t *testing.T) {
	port := closedPort(t)
	for d, dsn := range map[sqldb.Dialect]string{
		sqldb.Postgres: fmt.Sprintf("postgres://app:app@127.0.0.1:%d/app?sslmode=disable&connect_timeout=2", port),
		sqldb.MySQL:    fmt.Sprintf("app:app@tcp(127.0.0.1:%d)/app?timeout=2s", port),
	} {
		db, err := sql.Open(d.DriverName(), dsn)
		require.NoError(t, err)
		t.Cleanup(func() { _ = db.Close() })
		err = sqldb.WithinTx(context.Background(), "sqlstore", db, "", d, func(context.Context) error { return nil })
		require.Error(t, err, "%s", d)
		assert.True(t, sourceflow.IsStoreUnavailable(err), "%s: %v", d, err)
		assert.Contains(t, err.Error(), "sqlstore: begin a transaction: ", "%s", d)
		assert.Contains(t, err.Error(), "refused", "%s", d)
	}
}

// Only an error that says the database is not there to answer is marked:
// a refused login, a refused value, a handler's own error or a permanent
// failure are not.
func TestUnavailableMarksOnlyAnUnreachableDatabase(t *testing.T) {
	pg := func(code string) error { return fmt.Errorf("sqlstore: x: %w", &pgconn.PgError{Code: code}) }
	my := func(n uint16) error { return &mysql.MySQLError{Number: n} }
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	marked := map[string]error{
		"dial": fmt.Errorf("begin: %w", dial), "bad conn": fmt.Errorf("x: %w", driver.ErrBadConn),
		"mysql invalid conn": mysql.ErrInvalidConn, "pg admin_shutdown": pg("57P01"), "pg cannot_connect_now": pg("57P03"),
		"pg connection_failure": pg("08006"), "pg too_many_connections": pg("53300"),
		"mysql too many connections": my(1040), "mysql shutdown": my(1053),
	}
	for name, err := range marked {
		assert.True(t, sourceflow.IsStoreUnavailable(sqldb.Unavailable(err)), name)
		assert.Equal(t, err.Error(), sqldb.Unavailable(err).Error(), name)
	}
	kept := map[string]error{
		"pg invalid_password": pg("28P01"), "pg unique": pg("23505"), "mysql access denied": my(1045),
		"handler": errors.New("payment declined"), "permanent": sourceflow.Permanent(fmt.Errorf("x: %w", dial)),
		"timeout": context.DeadlineExceeded,
	}
	for name, err := range kept {
		assert.False(t, sourceflow.IsStoreUnavailable(sqldb.Unavailable(err)), name)
	}
	assert.NoError(t, sqldb.Unavailable(nil))
}
