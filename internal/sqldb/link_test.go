package sqldb_test

import (
	"database/sql/driver"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// Whether a connection crosses a network in clear text is decided from
// what the server reports about it, and, when the DSN is known, from
// where the DSN points: encrypted or local (a unix socket, a loopback
// address, "localhost") never is.
func TestCheckLinkDecidesFromTheServersReportAndTheDSN(t *testing.T) {
	pg, my := sqldb.Postgres, sqldb.MySQL
	for _, tt := range []struct {
		name      string
		d         sqldb.Dialect
		report    map[string][]driver.Value
		dsn       string
		plaintext bool
		addr      string
	}{
		{"pg remote without TLS", pg, sqldbtest.PostgresLink(false, "10.0.0.5", 5432), "", true, "10.0.0.5:5432"},
		{"pg remote with TLS", pg, sqldbtest.PostgresLink(true, "10.0.0.5", 5432), "", false, "10.0.0.5:5432"},
		{"pg unix socket", pg, sqldbtest.PostgresLink(false, "", 0), "", false, "a unix socket"},
		{"pg 127.0.0.1", pg, sqldbtest.PostgresLink(false, "127.0.0.1", 5432), "", false, "127.0.0.1:5432"},
		{"pg 127.0.0.2", pg, sqldbtest.PostgresLink(false, "127.0.0.2", 5432), "", false, "127.0.0.2:5432"},
		{"pg ::1", pg, sqldbtest.PostgresLink(false, "::1", 5432), "", false, "[::1]:5432"},
		{"pg DSN localhost, server in a container", pg, sqldbtest.PostgresLink(false, "172.17.0.2", 5432),
			"postgres://app:s3cret@localhost:5433/shop", false, "localhost:5433"},
		{"pg DSN remote address, server behind a local forwarder", pg, sqldbtest.PostgresLink(false, "127.0.0.1", 5432),
			"postgres://app:s3cret@10.0.0.9:5432/shop", true, "10.0.0.9:5432"},
		{"pg DSN remote with TLS", pg, sqldbtest.PostgresLink(true, "10.0.0.5", 5432),
			"postgres://app:s3cret@db.example:5432/shop", false, "db.example:5432"},
		{"pg DSN a name the server sees arrive on loopback", pg, sqldbtest.PostgresLink(false, "127.0.0.1", 5432),
			"postgres://app:s3cret@myhost:5432/shop", false, "myhost:5432"},
		{"pg DSN a name the server sees arrive from afar", pg, sqldbtest.PostgresLink(false, "10.0.0.5", 5432),
			"postgres://app:s3cret@db.example:5432/shop", true, "db.example:5432"},
		{"pg DSN socket directory", pg, sqldbtest.PostgresLink(false, "10.0.0.5", 5432),
			"host=/var/run/postgresql user=app dbname=shop", false, "/var/run/postgresql:5432"},
		{"pg DSN with a remote fallback host", pg, sqldbtest.PostgresLink(false, "127.0.0.1", 5432),
			"postgres://app@127.0.0.1:5432,10.0.0.9:5432/shop", true, "127.0.0.1:5432"},
		{"pg DSN with a named fallback host", pg, sqldbtest.PostgresLink(false, "127.0.0.1", 5432),
			"postgres://app@127.0.0.1:5432,db.example:5432/shop", false, "127.0.0.1:5432"},
		{"pg DSN a registered config: the server decides", pg, sqldbtest.PostgresLink(false, "10.0.0.5", 5432),
			"registeredConnConfig1", true, "10.0.0.5:5432"},
		{"mysql remote without TLS", my, sqldbtest.MySQLLink("", "10.1.2.3", "db1", 3306), "", true, "db1:3306"},
		{"mysql remote with TLS", my, sqldbtest.MySQLLink("TLS_AES_256_GCM_SHA384", "10.1.2.3", "db1", 3306), "", false, "db1:3306"},
		{"mysql client resolved to a name", my, sqldbtest.MySQLLink("", "app.example", "db1", 3306), "", true, "db1:3306"},
		{"mysql socket or resolved loopback", my, sqldbtest.MySQLLink("", "localhost", "db1", 3306), "", false, "db1:3306"},
		{"mysql 127.0.0.1", my, sqldbtest.MySQLLink("", "127.0.0.1", "db1", 3306), "", false, "db1:3306"},
		{"mysql ::ffff:127.0.0.1", my, sqldbtest.MySQLLink("", "::ffff:127.0.0.1", "db1", 3306), "", false, "db1:3306"},
		{"mysql DSN unix socket", my, sqldbtest.MySQLLink("", "10.1.2.3", "db1", 3306),
			"app:s3cret@unix(/run/mysqld/mysqld.sock)/shop", false, "/run/mysqld/mysqld.sock"},
		{"mysql DSN remote address, server behind a local forwarder", my, sqldbtest.MySQLLink("", "127.0.0.1", "db1", 3306),
			"app:s3cret@tcp(10.0.0.9:3306)/shop", true, "10.0.0.9:3306"},
		{"mysql DSN a name the server sees arrive from afar", my, sqldbtest.MySQLLink("", "10.1.2.3", "db1", 3306),
			"app:s3cret@tcp(db.example:3306)/shop", true, "db.example:3306"},
		{"mysql DSN a name the server sees arrive on loopback", my, sqldbtest.MySQLLink("", "localhost", "db1", 3306),
			"app:s3cret@tcp(myhost:3306)/shop", false, "myhost:3306"},
		{"mysql DSN [::1]", my, sqldbtest.MySQLLink("", "10.1.2.3", "db1", 3306),
			"app:s3cret@tcp([::1]:3306)/shop", false, "[::1]:3306"},
		{"mysql DSN a registered dialer: the server decides", my, sqldbtest.MySQLLink("", "10.1.2.3", "db1", 3306),
			"app:s3cret@cloudsql(project:region:db)/shop", true, "db1:3306"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := &sqldbtest.DB{Rows: tt.report}

			l, err := sqldb.CheckLink(t.Context(), f.Open(t), tt.d, tt.dsn)

			require.NoError(t, err)
			assert.Equal(t, tt.plaintext, l.Plaintext(), "%+v", l)
			assert.Equal(t, tt.addr, l.Addr)
		})
	}
}

// A SQLite database is a local file: no query is made.
func TestCheckLinkOfSQLiteIsLocalWithoutAQuery(t *testing.T) {
	f := &sqldbtest.DB{}

	l, err := sqldb.CheckLink(t.Context(), f.Open(t), sqldb.SQLite, "file:/var/lib/app/s.db?_pragma=foreign_keys(1)")

	require.NoError(t, err)
	assert.False(t, l.Plaintext())
	assert.Equal(t, "/var/lib/app/s.db", l.Addr)
	assert.Empty(t, f.Ran(""), "statements run")
}

// The warning names the component, the dialect and the address and says
// what to set in the DSN, once, at info level; nothing is logged for a
// local connection.
func TestWarnPlaintextLogsOnceNamingTheAddressNotThePassword(t *testing.T) {
	for _, tt := range []struct {
		d      sqldb.Dialect
		report map[string][]driver.Value
		dsn    string
		want   []string
	}{
		{sqldb.Postgres, sqldbtest.PostgresLink(false, "10.0.0.5", 5432), "postgres://app:s3cret@db.example:5432/shop",
			[]string{"sqlbus: the connection to postgres at db.example:5432 is not encrypted", "sslmode=verify-full", "sslrootcert="}},
		{sqldb.MySQL, sqldbtest.MySQLLink("", "10.1.2.3", "db1", 3306), "app:s3cret@tcp(db.example:3306)/shop",
			[]string{"sqlbus: the connection to mysql at db.example:3306 is not encrypted", "tls=true", "mysql.RegisterTLSConfig"}},
	} {
		t.Run(string(tt.d), func(t *testing.T) {
			logger := watermill.NewCaptureLogger()

			sqldb.WarnPlaintext(t.Context(), (&sqldbtest.DB{Rows: tt.report}).Open(t), tt.d, tt.dsn, time.Minute, logger, "sqlbus")

			infos := logger.Captured()[watermill.InfoLogLevel]
			require.Len(t, infos, 1)
			for _, w := range tt.want {
				assert.Contains(t, infos[0].Msg, w)
			}
			assert.Equal(t, "db.example:"+map[sqldb.Dialect]string{sqldb.Postgres: "5432", sqldb.MySQL: "3306"}[tt.d], infos[0].Fields["address"])
			assert.NotContains(t, infos[0].Msg, "s3cret")

			local := watermill.NewCaptureLogger()
			localDSN := strings.NewReplacer("db.example", "localhost").Replace(tt.dsn)
			sqldb.WarnPlaintext(t.Context(), (&sqldbtest.DB{Rows: tt.report}).Open(t), tt.d, localDSN, time.Minute, local, "sqlbus")
			assert.Empty(t, local.Captured(), "logged for a local connection")
		})
	}
}

// A check that fails, as on a server without pg_stat_ssl, logs at debug
// level only and does not fail its caller.
func TestWarnPlaintextWhoseCheckFailsLogsAtDebugOnly(t *testing.T) {
	f := &sqldbtest.DB{}
	f.FailOn("pg_stat_ssl", errors.New(`relation "pg_stat_ssl" does not exist`))
	logger := watermill.NewCaptureLogger()

	sqldb.WarnPlaintext(t.Context(), f.Open(t), sqldb.Postgres, "", time.Minute, logger, "outbox")

	got := logger.Captured()
	assert.Empty(t, got[watermill.InfoLogLevel])
	require.Len(t, got[watermill.DebugLogLevel], 1)
	assert.Contains(t, got[watermill.DebugLogLevel][0].Fields["err"], "pg_stat_ssl")
}

// A server that does not answer holds the check for its timeout only. The
// timeout leaves the check time to reach the server on a loaded machine
// (with 10ms, database/sql sometimes saw the context end before it asked).
func TestWarnPlaintextIsBoundedInTime(t *testing.T) {
	f := &sqldbtest.DB{}
	f.HangOn("*")
	const timeout = time.Second

	start := time.Now()
	sqldb.WarnPlaintext(t.Context(), f.Open(t), sqldb.Postgres, "", timeout, watermill.NopLogger{}, "outbox")

	assert.Less(t, time.Since(start), timeout+30*time.Second, "returned long after its timeout")

	assert.NotEmpty(t, f.Ran("pg_stat_ssl"), "the check never asked the server")
	assert.Zero(t, f.Running(), "statements still running after the check returned")
}
