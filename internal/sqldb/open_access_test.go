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
	dsn := os.Getenv("SOURCEFLOW_MYSQL_DSN")
	if dsn == "" {
		t.Skip("SKIPPED: SOURCEFLOW_MYSQL_DSN is not set (make test sets it where MySQL or MariaDB is installed)")
	}
	at := strings.Index(dsn, "@")
	require.Positive(t, at, "the test reads SOURCEFLOW_MYSQL_DSN as user:password@tcp(host)/db")
	admin, err := sql.Open("mysql", dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = admin.Close() })
	user := fmt.Sprintf("sf_locked_%d", os.Getpid())
	ctx := context.Background()
	_, _ = admin.ExecContext(ctx, "DROP USER IF EXISTS '"+user+"'@'%'")
	_, err = admin.ExecContext(ctx, "CREATE USER '"+user+"'@'%' IDENTIFIED BY 'locked-password' ACCOUNT LOCK")
	require.NoError(t, err, "the DSN's user may create users (the test's server grants it)")
	t.Cleanup(func() { _, _ = admin.ExecContext(ctx, "DROP USER IF EXISTS '"+user+"'@'%'") })

	db, err := sqldb.Open(ctx, sqldb.Config{Dialect: sqldb.MySQL, DSN: user + ":locked-password" + dsn[at:]})
	if db != nil {
		_ = db.Close()
	}

	require.ErrorIs(t, err, sqldb.ErrInvalidConfig)
	assert.NotErrorIs(t, err, sqldb.ErrUnreachable)
	assert.Contains(t, err.Error(), "account is locked")
	assert.Contains(t, err.Error(), "ACCOUNT UNLOCK")
	assert.NotContains(t, err.Error(), "locked-password")
}
