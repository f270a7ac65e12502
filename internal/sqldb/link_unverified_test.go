package sqldb_test

import (
	"crypto/tls"
	"crypto/x509"
	"database/sql/driver"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// A connection the server reports in TLS is warned of when the DSN does
// not verify the server (PostgreSQL's sslmode=prefer, pgx's default, allow,
// require without sslrootcert; MySQL's tls=skip-verify, tls=preferred, a
// registered config that skips the check): anyone on the path can pose as
// the server. A DSN that verifies it, a local connection, GSSAPI
// encryption and a connection whose DSN is unknown are not.
func TestCheckPlaintextWarnsOfTLSThatDoesNotVerifyTheServer(t *testing.T) {
	require.NoError(t, mysql.RegisterTLSConfig("sqldb-test-verifies", &tls.Config{RootCAs: x509.NewCertPool(), MinVersion: tls.VersionTLS12}))
	require.NoError(t, mysql.RegisterTLSConfig("sqldb-test-skips", &tls.Config{InsecureSkipVerify: true})) // #nosec G402 -- what the check must catch
	_, ca := selfSignedCert(t, "10.0.0.5")
	pg, my := sqldb.Postgres, sqldb.MySQL
	pgTLS := func() map[string][]driver.Value { return sqldbtest.PostgresLink(true, "10.0.0.5", 5432) }
	myTLS := func() map[string][]driver.Value {
		return sqldbtest.MySQLLink("TLS_AES_256_GCM_SHA384", "10.1.2.3", "db1", 3306)
	}
	pgGSS := map[string][]driver.Value{"pg_stat_ssl": {false, "10.0.0.5", int64(5432)}, "pg_stat_gssapi": {true}}
	const pgURL, myAddr = "postgres://app:s3cret@db.example:5432/shop", "app:s3cret@tcp(db.example:3306)/shop"
	for _, tt := range []struct {
		name   string
		d      sqldb.Dialect
		report map[string][]driver.Value
		dsn    string
		warned bool
	}{
		{"pg no sslmode (prefer)", pg, pgTLS(), pgURL, true},
		{"pg sslmode=prefer", pg, pgTLS(), pgURL + "?sslmode=prefer", true},
		{"pg sslmode=allow", pg, pgTLS(), pgURL + "?sslmode=allow", true},
		{"pg sslmode=require", pg, pgTLS(), pgURL + "?sslmode=require", true},
		{"pg sslmode=prefer with sslrootcert", pg, pgTLS(), pgURL + "?sslmode=prefer&sslrootcert=" + ca, true},
		{"pg sslmode=require with sslrootcert (verify-ca)", pg, pgTLS(), pgURL + "?sslmode=require&sslrootcert=" + ca, false},
		{"pg sslmode=verify-ca", pg, pgTLS(), pgURL + "?sslmode=verify-ca&sslrootcert=" + ca, false},
		{"pg sslmode=verify-full", pg, pgTLS(), pgURL + "?sslmode=verify-full&sslrootcert=" + ca, false},
		{"pg sslmode=require on localhost", pg, pgTLS(), "postgres://app@localhost:5432/shop?sslmode=require", false},
		{"pg sslmode=require on a unix socket", pg, pgTLS(), "host=/var/run/postgresql user=app sslmode=require", false},
		{"pg GSSAPI encryption", pg, pgGSS, pgURL + "?sslmode=prefer", false},
		{"pg DSN unknown", pg, pgTLS(), "", false},
		{"mysql tls=skip-verify", my, myTLS(), myAddr + "?tls=skip-verify", true},
		{"mysql tls=preferred", my, myTLS(), myAddr + "?tls=preferred", true},
		{"mysql a registered config that skips the check", my, myTLS(), myAddr + "?tls=sqldb-test-skips", true},
		{"mysql tls=true", my, myTLS(), myAddr + "?tls=true", false},
		{"mysql a registered config that verifies", my, myTLS(), myAddr + "?tls=sqldb-test-verifies", false},
		{"mysql tls=skip-verify on a unix socket", my, myTLS(), "app@unix(/run/mysqld/mysqld.sock)/shop?tls=skip-verify", false},
		{"mysql DSN unknown", my, myTLS(), "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			warning, addr, err := sqldb.CheckPlaintext(t.Context(), (&sqldbtest.DB{Rows: tt.report}).Open(t), tt.d, tt.dsn,
				time.Minute, "sqlbus")

			require.NoError(t, err)
			if !tt.warned {
				assert.Empty(t, warning)
				return
			}
			assert.Equal(t, "db.example:"+map[sqldb.Dialect]string{pg: "5432", my: "3306"}[tt.d], addr)
			assert.Equal(t, sqldb.UnverifiedWarning("sqlbus", tt.d, addr), warning)
		})
	}
}

// The warning of a connection in TLS that does not verify the server names
// the component, the dialect and the address, says what someone on the
// path can do and what to set in the DSN, never the password.
func TestWarnPlaintextOfUnverifiedTLSSaysWhatToSet(t *testing.T) {
	for _, tt := range []struct {
		d      sqldb.Dialect
		report map[string][]driver.Value
		dsn    string
		want   []string
	}{
		{sqldb.Postgres, sqldbtest.PostgresLink(true, "10.0.0.5", 5432), "postgres://app:s3cret@db.example:5432/shop?sslmode=require",
			[]string{"sqlbus: the connection to postgres at db.example:5432 is encrypted but the server's certificate is not verified",
				"sslmode=prefer", "pose as the server", "read and change", "sslmode=verify-full", "sslrootcert="}},
		{sqldb.MySQL, sqldbtest.MySQLLink("TLS_AES_256_GCM_SHA384", "10.1.2.3", "db1", 3306), "app:s3cret@tcp(db.example:3306)/shop?tls=skip-verify",
			[]string{"sqlbus: the connection to mysql at db.example:3306 is encrypted but the server's certificate is not verified",
				"tls=skip-verify", "pose as the server", "read and change", "tls=true", "mysql.RegisterTLSConfig"}},
	} {
		t.Run(string(tt.d), func(t *testing.T) {
			logger := watermill.NewCaptureLogger()

			sqldb.WarnPlaintext(t.Context(), (&sqldbtest.DB{Rows: tt.report}).Open(t), tt.d, tt.dsn, time.Minute, logger, "sqlbus")

			infos := logger.Captured()[watermill.InfoLogLevel]
			require.Len(t, infos, 1)
			for _, w := range tt.want {
				assert.Contains(t, infos[0].Msg, w)
			}
			assert.True(t, strings.HasPrefix(infos[0].Fields["address"].(string), "db.example:"), "%v", infos[0].Fields)
			assert.NotContains(t, infos[0].Msg, "s3cret")
		})
	}
}
