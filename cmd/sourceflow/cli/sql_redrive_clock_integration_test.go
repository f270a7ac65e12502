//go:build integration

package cli_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cmd/sourceflow/cli"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// clockDatabase is a database sql redrive runs on, through dsn.
type clockDatabase struct {
	name    string
	dialect sourceflow.Dialect
	dsn     string
}

// clockDatabases are the test environment's PostgreSQL, the same in a
// session time zone of America/New_York (the writer's and the reader's),
// and MariaDB.
func clockDatabases(t *testing.T) []clockDatabase {
	t.Helper()
	pg, my := os.Getenv("SOURCEFLOW_POSTGRES_DSN"), os.Getenv("SOURCEFLOW_MYSQL_DSN")
	require.NotEmpty(t, pg, "SOURCEFLOW_POSTGRES_DSN is not set; run `make test` (it starts PostgreSQL)")
	require.NotEmpty(t, my, "SOURCEFLOW_MYSQL_DSN is not set; run `make test` (it starts MariaDB)")
	return []clockDatabase{
		{"postgres", sourceflow.Postgres, pg},
		{"postgres-new-york", sourceflow.Postgres, pg + "&timezone=America/New_York"},
		{"mariadb", sourceflow.MySQL, my},
	}
}

// sql redrive counts --before and --after given as a duration back from
// the database's time, which wrote the created_at they compare with: an
// operator's clock two and a half hours off either way selects the dead letters one
// that is right selects, in a session time zone other than UTC too.
func TestSQL_RedriveCountsDurationsBackFromTheDatabaseClock(t *testing.T) {
	for _, d := range clockDatabases(t) {
		t.Run(d.name, func(t *testing.T) {
			t.Setenv("SOURCEFLOW_SQL_DSN", d.dsn)
			topic := "outbox_clock_" + strings.ToLower(rand.Text()[:10])
			deadLettersAged(t, d, topic, 3*time.Hour, 0)
			for _, skew := range []time.Duration{-150 * time.Minute, 0, 150 * time.Minute} {
				for _, flag := range []string{"--before", "--after"} {
					out, errOut, code := runWithClock(t, skew, "sql", "redrive", "--outbox", topic, flag, "1h")
					require.Equal(t, cli.ExitOK, code, errOut)
					assert.True(t, strings.HasPrefix(out, "1 dead letter dead-lettered "), "clock off by %s, %s 1h: %s", skew, flag, out)
					assert.Contains(t, out, "would be moved back, 1 left.", "clock off by %s, %s 1h", skew, flag)
				}
			}
			out, errOut, code := runWithClock(t, 2*time.Hour, "sql", "redrive", "--outbox", topic, "--after", "1h", "--yes")
			require.Equal(t, cli.ExitOK, code, errOut)
			assert.Contains(t, out, "back into outbox "+topic+"; 1 left.")
			assert.True(t, strings.HasPrefix(out, "Moved 1 dead letter dead-lettered from "), out)
		})
	}
}

// runWithClock runs the command line args on a machine whose clock is
// skew off, and returns its output and exit code.
func runWithClock(t *testing.T, skew time.Duration, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cfg, out, errOut := newFakeAWS().config("")
	cfg.Now = func() time.Time { return time.Now().Add(skew) }
	code = cli.Run(context.Background(), cfg, args)
	return out.String(), errOut.String(), code
}

// deadLettersAged creates the tables of the outbox topic on d, dropped
// after the test, and writes in them one dead letter for each of ages,
// its created_at that long before the database's time.
func deadLettersAged(t *testing.T, d clockDatabase, topic string, ages ...time.Duration) {
	t.Helper()
	db, err := sqldb.Open(context.Background(), sqldb.Config{Dialect: d.dialect, DSN: d.dsn})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	createOutboxTables(t, db, d.dialect, topic)
	q := `INSERT INTO "watermill_` + topic + `_dead_letters" (uuid, payload, metadata, transaction_id, created_at) ` +
		`VALUES ($1, $2, $3, pg_current_xact_id(), now() - $4::bigint * interval '1 second')`
	if d.dialect == sourceflow.MySQL {
		q = "INSERT INTO `watermill_" + topic + "_dead_letters` (uuid, payload, metadata, created_at) " +
			"VALUES (?, ?, ?, NOW() - INTERVAL ? SECOND)"
	}
	for i, age := range ages {
		_, err := db.Exec(q, fmt.Sprintf("row-%d", i),
			fmt.Sprintf(`{"destination_topic":"orders","uuid":"m-%d","payload":"e30=","metadata":{"sf_type":"orders.Placed"}}`, i),
			`{"sf_failure":"orders: i/o timeout"}`, int64(age/time.Second))
		require.NoError(t, err)
	}
}

// createOutboxTables creates the tables of the outbox topic on db, dropped
// after the test.
func createOutboxTables(t *testing.T, db *sql.DB, d sourceflow.Dialect, topic string) {
	t.Helper()
	t.Cleanup(func() { dropOutboxTables(t, db, d, topic) })
	inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	box, err := outbox.New(outbox.Config{DB: db, Dialect: d, Transport: inner, Topic: topic, DisableForwarder: true})
	require.NoError(t, err)
	require.NoError(t, box.Bind(context.Background(), sourceflow.Binding{Service: "redrive"}))
	require.NoError(t, box.Close())
}

// dropOutboxTables drops the tables of the outbox topic from db.
func dropOutboxTables(t *testing.T, db *sql.DB, d sourceflow.Dialect, topic string) {
	t.Helper()
	quote := func(s string) string { return `"` + s + `"` }
	if d == sourceflow.MySQL {
		quote = func(s string) string { return "`" + s + "`" }
	}
	tables := []string{"sourceflow_outbox_held_" + topic}
	for _, table := range []string{topic, topic + "_dead_letters", "offsets_" + topic, "offsets_" + topic + "_dead_letters"} {
		tables = append(tables, "watermill_"+table)
	}
	for _, table := range tables {
		_, err := db.Exec("DROP TABLE IF EXISTS " + quote(table))
		assert.NoError(t, err)
	}
}
