package sqldb_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// A MySQL or MariaDB account that is locked is refused on every try: Open
// reports ErrInvalidConfig saying the account is locked and how to unlock
// it, not ErrUnreachable, which callers retry as an outage. MySQL and
// MariaDB number the refusal apart (3118, 4151).
func TestOpen_LockedAccountIsInvalidConfig(t *testing.T) {
	err := openAs(t, "sf_locked", "ACCOUNT LOCK")

	require.ErrorIs(t, err, sqldb.ErrInvalidConfig)
	assert.NotErrorIs(t, err, sqldb.ErrUnreachable)
	assert.Contains(t, err.Error(), "account is locked")
	assert.Contains(t, err.Error(), "ACCOUNT UNLOCK")
	assert.NotContains(t, err.Error(), "refused-password")
}

// An account whose password expired is refused on every statement, also
// where the server lets it connect to set a new password (MariaDB's
// default, disconnect_on_expired_password OFF, answers its pings): Open
// reports ErrInvalidConfig saying the password expired, not a database
// every statement fails on.
func TestOpen_ExpiredPasswordIsInvalidConfig(t *testing.T) {
	err := openAs(t, "sf_expired", "PASSWORD EXPIRE")

	require.ErrorIs(t, err, sqldb.ErrInvalidConfig)
	assert.NotErrorIs(t, err, sqldb.ErrUnreachable)
	assert.Contains(t, err.Error(), "password has expired")
	assert.NotContains(t, err.Error(), "refused-password")
}

// openAs creates, on the server of SOURCEFLOW_MYSQL_DSN, a user with the
// options opts, opens it without a database with sqldb.Open and returns
// Open's error.
func openAs(t *testing.T, prefix, opts string) error {
	t.Helper()
	dsn := os.Getenv("SOURCEFLOW_MYSQL_DSN")
	if dsn == "" {
		t.Skip("SKIPPED: SOURCEFLOW_MYSQL_DSN is not set (make test sets it where MySQL or MariaDB is installed)")
	}
	at := strings.Index(dsn, "@")
	require.Positive(t, at, "the test reads SOURCEFLOW_MYSQL_DSN as user:password@tcp(host)/db")
	admin, err := sql.Open("mysql", dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = admin.Close() })
	user := fmt.Sprintf("%s_%d", prefix, os.Getpid())
	ctx := context.Background()
	_, _ = admin.ExecContext(ctx, "DROP USER IF EXISTS '"+user+"'@'%'")
	_, err = admin.ExecContext(ctx, "CREATE USER '"+user+"'@'%' IDENTIFIED BY 'refused-password' "+opts)
	require.NoError(t, err, "the DSN's user may create users (the test's server grants it)")
	t.Cleanup(func() { _, _ = admin.ExecContext(ctx, "DROP USER IF EXISTS '"+user+"'@'%'") })

	db, err := sqldb.Open(ctx, sqldb.Config{Dialect: sqldb.MySQL, DSN: user + ":refused-password" + dsn[at:strings.LastIndex(dsn, "/")+1]})
	if db != nil {
		_ = db.Close()
	}
	return err
}
