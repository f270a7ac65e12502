package sqldb_test

import (
	"bytes"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/slogdefault"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// CheckPlaintext returns the warning WarnPlaintext logs, and the address,
// for a connection that crosses a network in clear text, and nothing for
// a local one.
func TestCheckPlaintextReturnsTheWarningOfAClearTextConnection(t *testing.T) {
	report := sqldbtest.PostgresLink(false, "10.0.0.5", 5432)
	db := (&sqldbtest.DB{Rows: report}).Open(t)

	warning, addr, err := sqldb.CheckPlaintext(t.Context(), db, sqldb.Postgres,
		"postgres://app:s3cret@db.example:5432/shop", time.Minute, "sourceflow sql")

	require.NoError(t, err)
	assert.Equal(t, "db.example:5432", addr)
	assert.Equal(t, sqldb.PlaintextWarning("sourceflow sql", sqldb.Postgres, "db.example:5432"), warning)

	warning, addr, err = sqldb.CheckPlaintext(t.Context(), (&sqldbtest.DB{Rows: report}).Open(t), sqldb.Postgres,
		"postgres://app:s3cret@localhost:5432/shop", time.Minute, "sourceflow sql")
	require.NoError(t, err)
	assert.Empty(t, warning)
	assert.Empty(t, addr)
}

// On the default Logger, whose Info goes to slog's Debug, the warning of
// a clear-text connection reaches slog's default level, at Warn.
func TestWarnPlaintextWarnsOnTheDefaultLogger(t *testing.T) {
	var buf bytes.Buffer
	previous := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	t.Cleanup(func() { slog.SetDefault(previous) })
	db := (&sqldbtest.DB{Rows: sqldbtest.PostgresLink(false, "10.0.0.5", 5432)}).Open(t)

	sqldb.WarnPlaintext(t.Context(), db, sqldb.Postgres, "postgres://app@db.example:5432/shop", time.Minute,
		slogdefault.Logger(), "sqlbus")

	assert.Contains(t, buf.String(), `level=WARN msg="sqlbus: the connection to postgres at db.example:5432 is not encrypted`)
	assert.Contains(t, buf.String(), "address=db.example:5432")
}
