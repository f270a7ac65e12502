package sqldb_test

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// TestOpen_RefusedLoginIsInvalidConfig: a server that answered and refused
// the DSN's database, user or password refuses it on every try: Open
// reports ErrInvalidConfig with the server's reason, not ErrUnreachable,
// which callers retry as an outage.
func TestOpen_RefusedLoginIsInvalidConfig(t *testing.T) {
	check := func(t *testing.T, d sqldb.Dialect, dsn, reason string) {
		db, err := sqldb.Open(context.Background(), sqldb.Config{Dialect: d, DSN: dsn})
		if db != nil {
			_ = db.Close()
		}
		require.ErrorIs(t, err, sqldb.ErrInvalidConfig)
		assert.NotErrorIs(t, err, sqldb.ErrUnreachable)
		assert.Contains(t, err.Error(), "refused the DSN's user, password or database")
		assert.Contains(t, err.Error(), reason)
	}
	t.Run("postgres", func(t *testing.T) {
		dsn := os.Getenv("SOURCEFLOW_POSTGRES_DSN")
		if dsn == "" {
			if postgresRequired {
				t.Fatal("SOURCEFLOW_POSTGRES_DSN is not set: make test starts PostgreSQL and sets it")
			}
			t.Skip("SKIPPED: SOURCEFLOW_POSTGRES_DSN is not set (make test sets it)")
		}
		u, err := url.Parse(dsn)
		require.NoError(t, err, "the test reads SOURCEFLOW_POSTGRES_DSN as a URL")
		noDB, noUser := *u, *u
		noDB.Path = "/nosuchdb"
		noUser.User = url.UserPassword("nosuchuser", "wrong")
		t.Run("missing database", func(t *testing.T) { check(t, sqldb.Postgres, noDB.String(), "SQLSTATE 3D000") })
		t.Run("unknown user", func(t *testing.T) { check(t, sqldb.Postgres, noUser.String(), "SQLSTATE 28") })
		// pgx goes on to the next host after a 28000: that host, which did
		// not answer, may accept the user once it does.
		t.Run("unknown user on one host, another down", func(t *testing.T) {
			twoHosts := noUser
			twoHosts.Host += ",127.0.0.1:1"
			db, err := sqldb.Open(context.Background(), sqldb.Config{Dialect: sqldb.Postgres, DSN: twoHosts.String()})
			if db != nil {
				_ = db.Close()
			}
			require.ErrorIs(t, err, sqldb.ErrUnreachable)
			assert.NotErrorIs(t, err, sqldb.ErrInvalidConfig)
			assert.Contains(t, err.Error(), "SQLSTATE 28")
		})
	})
	t.Run("mysql", func(t *testing.T) {
		dsn := os.Getenv("SOURCEFLOW_MYSQL_DSN")
		if dsn == "" {
			t.Skip("SKIPPED: SOURCEFLOW_MYSQL_DSN is not set (make test sets it where MySQL or MariaDB is installed)")
		}
		at, slash := strings.Index(dsn, "@"), strings.LastIndex(dsn, "/")
		require.True(t, at > 0 && slash > at, "the test reads SOURCEFLOW_MYSQL_DSN as user:password@tcp(host)/db")
		user, _, _ := strings.Cut(dsn[:at], ":")
		_, params, _ := strings.Cut(dsn[slash:], "?")
		t.Run("missing database", func(t *testing.T) { check(t, sqldb.MySQL, dsn[:slash]+"/nosuchdb?"+params, "Error 1049") })
		t.Run("wrong password", func(t *testing.T) { check(t, sqldb.MySQL, user+":wrong-password"+dsn[at:], "Error 1045") })
	})
}
