package cli

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// The sql commands say on stderr, once, that their connection crosses a
// network in clear text, or in TLS that does not verify the server, naming
// the DSN's host:port (never the password) and what to set; a local DSN, a
// connection in TLS that verifies the server and a check that fails print
// nothing.
func TestSQLConnWarnsOfAPlaintextConnection(t *testing.T) {
	for _, tt := range []struct {
		name string
		dsn  string
		f    *sqldbtest.DB
		want string // "" for nothing
	}{
		{"remote", "postgres://ops:hunter22secret@db.internal:5432/shop", &sqldbtest.DB{Rows: sqldbtest.PostgresLink(false, "10.0.0.5", 5432)},
			"warning: sourceflow sql: the connection to postgres at db.internal:5432 is not encrypted"},
		{"remote with TLS that verifies the server", "postgres://ops:hunter22secret@db.internal:5432/shop?sslmode=verify-full",
			&sqldbtest.DB{Rows: sqldbtest.PostgresLink(true, "10.0.0.5", 5432)}, ""},
		{"remote with TLS that does not verify the server (pgx's default)", "postgres://ops:hunter22secret@db.internal:5432/shop",
			&sqldbtest.DB{Rows: sqldbtest.PostgresLink(true, "10.0.0.5", 5432)},
			"warning: sourceflow sql: the connection to postgres at db.internal:5432 is encrypted but the server's certificate is not verified"},
		{"loopback", "postgres://ops:hunter22secret@127.0.0.1:5432/shop", &sqldbtest.DB{Rows: sqldbtest.PostgresLink(false, "172.17.0.2", 5432)}, ""},
		{"mysql remote", "ops:hunter22secret@tcp(db.internal:3306)/shop", &sqldbtest.DB{Rows: sqldbtest.MySQLLink("", "10.1.2.3", "db1", 3306)},
			"warning: sourceflow sql: the connection to mysql at db.internal:3306 is not encrypted"},
		{"mysql remote with tls=skip-verify", "ops:hunter22secret@tcp(db.internal:3306)/shop?tls=skip-verify",
			&sqldbtest.DB{Rows: sqldbtest.MySQLLink("TLS_AES_256_GCM_SHA384", "10.1.2.3", "db1", 3306)},
			"warning: sourceflow sql: the connection to mysql at db.internal:3306 is encrypted but the server's certificate is not verified"},
		{"mysql unix socket", "ops:hunter22secret@unix(/run/mysqld/mysqld.sock)/shop", &sqldbtest.DB{Rows: sqldbtest.MySQLLink("", "10.1.2.3", "db1", 3306)}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			target, err := connFlags{dsn: tt.dsn}.resolveDSN()
			require.NoError(t, err)
			c := &sqlConn{db: tt.f.Open(t), target: target, timeout: "30s"}
			var errOut bytes.Buffer

			c.warnPlaintext(t.Context(), &errOut)

			assert.NotContains(t, errOut.String(), "hunter22secret")
			if tt.want == "" {
				assert.Empty(t, errOut.String())
				return
			}
			assert.Contains(t, errOut.String(), tt.want)
			assert.Equal(t, 1, bytes.Count(errOut.Bytes(), []byte("\n")), "one line: %q", errOut.String())
		})
	}
}

// A check the server refuses prints nothing.
func TestSQLConnWhosePlaintextCheckFailsPrintsNothing(t *testing.T) {
	f := &sqldbtest.DB{}
	f.FailOn("pg_stat_ssl", errors.New("permission denied for user ops with hunter22secret"))
	c := newWarnConn(t, f)
	var errOut bytes.Buffer

	c.warnPlaintext(t.Context(), &errOut)

	assert.Empty(t, errOut.String())
}
