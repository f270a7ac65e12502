//go:build integration

package sqldb_test

import (
	"database/sql"
	"os"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// On the servers make test starts (listening on 127.0.0.1, without TLS),
// each server reports the connection not encrypted and arriving on a
// loopback address, so nothing warns, with or without the DSN. On MySQL,
// the same connection taken for one to a non-loopback address (a DSN naming
// 192.0.2.10, which decides where the connection goes, since the servers
// listen on no other address here) warns once, naming that address; a pgx
// connection's own socket says where it goes instead (see
// TestWarnPlaintextOfAPgxConnectionThroughAForwarder): the DSN only names it.
func TestWarnPlaintextOnTheRealServers(t *testing.T) {
	remote := map[sqldb.Dialect]string{ // nothing is sent to them
		sqldb.Postgres: "postgres://app@192.0.2.10:5432/shop",
		sqldb.MySQL:    "app@tcp(192.0.2.10:3306)/shop",
	}
	env := map[sqldb.Dialect]string{sqldb.Postgres: "SOURCEFLOW_POSTGRES_DSN", sqldb.MySQL: "SOURCEFLOW_MYSQL_DSN"}
	openDialects(t, []sqldb.Dialect{sqldb.Postgres, sqldb.MySQL}, func(t *testing.T, d sqldb.Dialect, db *sql.DB) {
		dsn := os.Getenv(env[d])
		l, err := sqldb.CheckLink(t.Context(), db, d, "")
		require.NoError(t, err)
		require.False(t, l.Encrypted, "the test server uses TLS: %+v", l)
		assert.True(t, l.Local, "the server's own report: %+v", l)
		l, err = sqldb.CheckLink(t.Context(), db, d, dsn)
		require.NoError(t, err)
		assert.True(t, l.Local, "with the DSN: %+v", l)
		assert.Equal(t, sqldb.Address(d, dsn), l.Addr)

		for hint, want := range map[string]int{"": 0, dsn: 0, remote[d]: map[sqldb.Dialect]int{sqldb.MySQL: 1}[d]} {
			logger := watermill.NewCaptureLogger()
			sqldb.WarnPlaintext(t.Context(), db, d, hint, time.Minute, logger, "sqlbus")
			var warned []string
			for _, m := range logger.Captured()[watermill.InfoLogLevel] {
				warned = append(warned, m.Msg)
			}
			assert.Empty(t, logger.Captured()[watermill.DebugLogLevel], "the check failed")
			require.Len(t, warned, want, "warnings with the DSN of %q (none: \"\")", hint)
			if want > 0 {
				assert.Contains(t, warned[0], "the connection to "+string(d)+" at 192.0.2.10:")
			}
		}
	})
}
