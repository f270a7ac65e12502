//go:build integration

package cli_test

import (
	"crypto/rand"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
)

// sql redrive selects by when a dead letter was written whatever the
// session time zones: a service whose sessions are in New York
// dead-letters a message now, and an operator whose sessions are in
// Berlin, six hours east, finds it written within the hour, not six hours
// before.
func TestSQL_RedriveSelectsByTheWrittenTimeAcrossSessionTimeZones(t *testing.T) {
	for _, d := range []sourceflow.Dialect{sourceflow.Postgres, sourceflow.MySQL} {
		t.Run(string(d), func(t *testing.T) {
			writer := clockDatabase{string(d), d, inZone(t, d, "America/New_York", "-05:00")}
			t.Setenv("SOURCEFLOW_SQL_DSN", inZone(t, d, "Europe/Berlin", "+01:00"))
			topic := "outbox_zone_" + strings.ToLower(rand.Text()[:10])
			deadLettersAged(t, writer, topic, 0)

			out, errOut, code := runWithClock(t, 0, "sql", "redrive", "--outbox", topic, "--before", "1h")
			require.Equal(t, cli.ExitOK, code, errOut)
			assert.Contains(t, out, "would be moved back, 1 left.", "written now, not over an hour ago")
			out, errOut, code = runWithClock(t, 0, "sql", "redrive", "--outbox", topic, "--after", "1h")
			require.Equal(t, cli.ExitOK, code, errOut)
			assert.Contains(t, out, "would be moved back, 0 left.", "written within the hour")
		})
	}
}

// inZone returns the test environment's DSN of d with a session time zone
// of pgZone on PostgreSQL and of the UTC offset myOffset on MySQL (MariaDB
// without its time zone tables knows no zone names).
func inZone(t *testing.T, d sourceflow.Dialect, pgZone, myOffset string) string {
	t.Helper()
	if d == sourceflow.MySQL {
		dsn := os.Getenv("SOURCEFLOW_MYSQL_DSN")
		require.NotEmpty(t, dsn, "SOURCEFLOW_MYSQL_DSN is not set; run `make test` (it starts MariaDB)")
		return dsn + "&time_zone=" + url.QueryEscape("'"+myOffset+"'")
	}
	dsn := os.Getenv("SOURCEFLOW_POSTGRES_DSN")
	require.NotEmpty(t, dsn, "SOURCEFLOW_POSTGRES_DSN is not set; run `make test` (it starts PostgreSQL)")
	return dsn + "&timezone=" + url.QueryEscape(pgZone)
}
