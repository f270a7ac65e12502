package sqlstore_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
)

// TestOpen_UnreadableDSNIsInvalidConfig: a DSN the dialect's driver cannot
// read is ErrInvalidConfig, found before any connection, not
// ErrUnreachable (which callers retry), and the error names the dialect
// without the DSN's password.
func TestOpen_UnreadableDSNIsInvalidConfig(t *testing.T) {
	for _, dsn := range []string{"garbage", "u:s3cret@tcp(h:1)/db", "postgres://u:s3cret@h:bad-port/db"} {
		s, err := sqlstore.Open(context.Background(), sqlstore.Config{Dialect: sourceflow.Postgres, DSN: dsn})
		if s != nil {
			_ = s.Close()
		}
		require.ErrorIs(t, err, sqlstore.ErrInvalidConfig, dsn)
		assert.NotErrorIs(t, err, sqlstore.ErrUnreachable, dsn)
		assert.Contains(t, err.Error(), "postgres DSN", dsn)
		assert.NotContains(t, err.Error(), "s3cret", dsn)
		assert.NotContains(t, err.Error(), dsn)
	}
}

// TestNew_DatabaseOfAnotherDialectIsInvalidConfig: New given a database
// opened with another dialect's driver than Config.Dialect refuses it as
// ErrInvalidConfig naming both, before any statement (sql.Open does not
// connect).
func TestNew_DatabaseOfAnotherDialectIsInvalidConfig(t *testing.T) {
	for _, tt := range []struct {
		driver, dsn string
		dialect     sourceflow.Dialect
		other       string
	}{
		{"mysql", "u:p@tcp(127.0.0.1:1)/db", sourceflow.Postgres, "mysql"},
		{"pgx", "postgres://u:p@127.0.0.1:1/db", sourceflow.MySQL, "postgres"},
		{"sqlite", ":memory:", sourceflow.Postgres, "sqlite"},
	} {
		db, err := sql.Open(tt.driver, tt.dsn)
		require.NoError(t, err)
		t.Cleanup(func() { _ = db.Close() })
		s, err := sqlstore.New(context.Background(), db, sqlstore.Config{Dialect: tt.dialect})
		if s != nil {
			_ = s.Close()
		}
		require.ErrorIs(t, err, sqlstore.ErrInvalidConfig, "%s on a %s database", tt.dialect, tt.other)
		assert.Contains(t, err.Error(), "Dialect is "+string(tt.dialect))
		assert.Contains(t, err.Error(), "the "+tt.other+" driver")
	}
}
