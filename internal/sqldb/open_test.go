package sqldb_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// TestOpen_UnreadableDSNIsInvalidConfigWithoutThePassword: a DSN the
// dialect's driver cannot read is a configuration mistake, found before any
// connection: ErrInvalidConfig (not ErrUnreachable, which callers retry),
// naming the dialect and the driver's problem but no part of the DSN that
// could hold the password, even where the driver quotes it.
func TestOpen_UnreadableDSNIsInvalidConfigWithoutThePassword(t *testing.T) {
	tests := []struct {
		name    string
		dialect sqldb.Dialect
		dsn     string
		problem string
	}{
		{"garbage for postgres", sqldb.Postgres, "garbage", "invalid keyword/value"},
		{"mysql DSN for postgres", sqldb.Postgres, "u:s3cret@tcp(h:1)/db", "invalid keyword/value"},
		{"bad port", sqldb.Postgres, "postgres://u:s3cret@h:bad-port/db", "invalid port"},
		{"slash in the password", sqldb.Postgres, "postgres://u:s3c/ret@h:5432/db", "invalid port"},
		{"bad escape in the password", sqldb.Postgres, "postgres://u:s3cret%zz@h/db", "percent-encoded"},
		{"key=value quoting the password", sqldb.Postgres, "host=h s3cret x=1", `missing "=" after "…"`},
		{"garbage for mysql", sqldb.MySQL, "garbage", "missing the slash"},
		{"postgres URL for mysql", sqldb.MySQL, "postgres://u:s3cret@h:5432/db", "default addr"},
		{"key=value for mysql", sqldb.MySQL, "host=db password=s3cret sslrootcert=/etc/ca", "default addr for network '…'"},
		// The driver names a setting's value unquoted: withheld when it
		// is what could be the password.
		{"password as a setting", sqldb.MySQL, "u:s3cretz@tcp(h:1)/db?parseTime=s3cretz", "is not shown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := sqldb.Open(context.Background(), sqldb.Config{Dialect: tt.dialect, DSN: tt.dsn})
			if db != nil {
				_ = db.Close()
			}
			require.ErrorIs(t, err, sqldb.ErrInvalidConfig)
			assert.NotErrorIs(t, err, sqldb.ErrUnreachable)
			assert.Contains(t, err.Error(), string(tt.dialect))
			assert.Contains(t, err.Error(), tt.problem)
			assert.NotContains(t, err.Error(), "s3c")
			assert.NotContains(t, err.Error(), tt.dsn)
		})
	}
}

// TestOpen_InvalidFieldIsInvalidConfig: every refused Config is
// ErrInvalidConfig.
func TestOpen_InvalidFieldIsInvalidConfig(t *testing.T) {
	_, err := sqldb.Open(context.Background(), sqldb.Config{Dialect: sqldb.Postgres})
	require.ErrorIs(t, err, sqldb.ErrInvalidConfig)
	assert.Contains(t, err.Error(), "DSN must not be empty")
}

// TestDriverMismatch: a database opened with another dialect's driver is
// a problem naming both, ErrInvalidConfig once reported by InvalidConfig;
// the dialect's own driver and a driver the package does not know (a
// wrapper, say; here sqldbtest's) pass. sql.Open does not connect.
func TestDriverMismatch(t *testing.T) {
	open := func(driver string) *sql.DB {
		db, err := sql.Open(driver, "")
		require.NoError(t, err)
		t.Cleanup(func() { _ = db.Close() })
		return db
	}
	pg, my, lite := open("pgx"), open("mysql"), open("sqlite")
	wrapped := (&sqldbtest.DB{}).Open(t)

	for _, tt := range []struct {
		dialect sqldb.Dialect
		db      *sql.DB
		other   string
	}{
		{sqldb.Postgres, my, "mysql"}, {sqldb.MySQL, pg, "postgres"},
		{sqldb.SQLite, pg, "postgres"}, {sqldb.Postgres, lite, "sqlite"},
	} {
		err := sqldb.InvalidConfig("pkg", sqldb.DriverMismatch(tt.dialect, tt.db))
		require.ErrorIs(t, err, sqldb.ErrInvalidConfig, "%s on a %s database", tt.dialect, tt.other)
		assert.Contains(t, err.Error(), "Dialect is "+string(tt.dialect))
		assert.Contains(t, err.Error(), "the "+tt.other+" driver")
	}
	assert.NoError(t, sqldb.DriverMismatch(sqldb.Postgres, pg))
	assert.NoError(t, sqldb.DriverMismatch(sqldb.MySQL, my))
	assert.NoError(t, sqldb.DriverMismatch(sqldb.SQLite, lite))
	assert.NoError(t, sqldb.DriverMismatch(sqldb.Postgres, wrapped), "an unknown driver is taken as it is")
	assert.NoError(t, sqldb.DriverMismatch(sqldb.MySQL, nil))
}

// TestOpen_RegisteredConnConfigIsADSN: the name stdlib.RegisterConnConfig
// returns is a DSN the pgx driver connects with, though pgx.ParseConfig
// cannot read it: it is not ErrInvalidConfig, and Open tries it.
func TestOpen_RegisteredConnConfigIsADSN(t *testing.T) {
	cc, err := pgx.ParseConfig("postgres://u:pw@127.0.0.1:1/db?connect_timeout=1")
	require.NoError(t, err)
	name := stdlib.RegisterConnConfig(cc)
	t.Cleanup(func() { stdlib.UnregisterConnConfig(name) })

	_, err = sqldb.Open(context.Background(), sqldb.Config{Dialect: sqldb.Postgres, DSN: name, ConnectTimeout: time.Second})
	require.ErrorIs(t, err, sqldb.ErrUnreachable, "the registered config is tried: nothing listens on port 1")
	assert.NotErrorIs(t, err, sqldb.ErrInvalidConfig)
}

// TestOpen_UnreadableFileNamedByTheDSNIsNotInvalidConfig: a DSN naming a
// file pgx cannot read yet (a CA certificate on a secret volume mounted
// late) is not ErrInvalidConfig, which no retry cures: Open tries it and
// reports what the connection meets.
func TestOpen_UnreadableFileNamedByTheDSNIsNotInvalidConfig(t *testing.T) {
	dsn := "postgres://u:pw@127.0.0.1:1/db?sslmode=verify-full&sslrootcert=" + t.TempDir() + "/missing-ca.pem"
	_, err := sqldb.Open(context.Background(), sqldb.Config{Dialect: sqldb.Postgres, DSN: dsn, ConnectTimeout: time.Second})
	require.Error(t, err)
	assert.NotErrorIs(t, err, sqldb.ErrInvalidConfig)
	assert.NotContains(t, err.Error(), "pw")
}
