package outbox_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// dialect is one database the tests run on, with the environment variable
// naming its DSN.
type dialect struct {
	dialect sourceflow.Dialect
	env     string
}

var dialects = []dialect{
	{sourceflow.Postgres, "SOURCEFLOW_POSTGRES_DSN"},
	{sourceflow.MySQL, "SOURCEFLOW_MYSQL_DSN"},
}

// eachDialect runs fn as a subtest per dialect.
func eachDialect(t *testing.T, fn func(t *testing.T, d dialect)) {
	for _, d := range dialects {
		t.Run(string(d.dialect), func(t *testing.T) { fn(t, d) })
	}
}

// dsn returns the DSN named by the environment. Without it a PostgreSQL
// test fails in the integration run (postgresRequired), where make test
// always starts PostgreSQL; otherwise it is skipped loudly.
func (d dialect) dsn(t testing.TB) string {
	t.Helper()
	if dsn := os.Getenv(d.env); dsn != "" {
		return dsn
	}
	msg := fmt.Sprintf("%s is not set: the %s outbox tests did NOT run (make test starts a database and sets it)", d.env, d.dialect)
	if d.dialect == sourceflow.Postgres && postgresRequired {
		t.Fatal(msg)
	}
	t.Skip("SKIPPED: " + msg)
	return ""
}

// open opens the dialect's database, closed after the test.
func (d dialect) open(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sqldb.Open(context.Background(), sqldb.Config{Dialect: d.dialect, DSN: d.dsn(t)})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// uniqueName returns a name no other test uses, usable as a topic or a
// table prefix.
func uniqueName(prefix string) string {
	return prefix + "_" + strings.ToLower(rand.Text()[:10])
}

// quote quotes a table name for the dialect.
func (d dialect) quote(table string) string {
	if d.dialect == sourceflow.MySQL {
		return "`" + table + "`"
	}
	return `"` + table + `"`
}

// dropOutbox drops the tables of an outbox topic after the test.
func (d dialect) dropOutbox(t testing.TB, db *sql.DB, topic string) {
	t.Cleanup(func() {
		for _, table := range []string{
			"watermill_" + topic, "watermill_offsets_" + topic,
			"watermill_" + topic + "_dead_letters", "watermill_offsets_" + topic + "_dead_letters",
			"sourceflow_outbox_held_" + topic,
		} {
			_, err := db.Exec("DROP TABLE IF EXISTS " + d.quote(table))
			assert.NoError(t, err)
		}
	})
}

// testingT is what a helper that may fail needs: the test's *testing.T, or
// the *assert.CollectT of an EventuallyWithT condition, where a failure ends
// that tick only and the condition is tried again.
type testingT interface {
	require.TestingT
	Helper()
}

// outboxRows counts the rows of the outbox table of topic.
func (d dialect) outboxRows(t testingT, db *sql.DB, topic string) int {
	t.Helper()
	var n int
	require.NoError(t, db.QueryRow("SELECT COUNT(*) FROM "+d.quote("watermill_"+topic)).Scan(&n))
	return n
}

// insertRow writes a row into the outbox table with plain SQL, the way a
// damaged or foreign writer would.
func (d dialect) insertRow(t testing.TB, db *sql.DB, topic, uuid, payload, metadata string) {
	t.Helper()
	q := "INSERT INTO " + d.quote("watermill_"+topic) + " (uuid, payload, metadata) VALUES (?, ?, ?)"
	if d.dialect == sourceflow.Postgres {
		q = `INSERT INTO ` + d.quote("watermill_"+topic) + ` (uuid, payload, metadata, transaction_id)
			VALUES ($1, $2, $3, pg_current_xact_id())`
	}
	_, err := db.Exec(q, uuid, payload, metadata)
	require.NoError(t, err)
}

// rewindOffsets moves the forwarders' consumer group back to the start of
// the outbox, as if an instance had forwarded every row and died before
// acknowledging them.
func (d dialect) rewindOffsets(t testing.TB, db *sql.DB, topic string) {
	t.Helper()
	q := "UPDATE " + d.quote("watermill_offsets_"+topic) + " SET offset_acked = 0"
	if d.dialect == sourceflow.Postgres {
		q += ", last_processed_transaction_id = '0'"
	}
	res, err := db.Exec(q)
	require.NoError(t, err)
	n, err := res.RowsAffected()
	require.NoError(t, err)
	require.Equal(t, int64(1), n, "one consumer group forwards the outbox")
}

// forwardedAll reports whether the forwarders acknowledged the last row of
// the outbox: the batch holding it committed its offset.
func (d dialect) forwardedAll(t testingT, db *sql.DB, topic string) bool {
	t.Helper()
	var acked, last sql.NullInt64
	require.NoError(t, db.QueryRow("SELECT MAX(offset_acked) FROM "+d.quote("watermill_offsets_"+topic)).Scan(&acked))
	require.NoError(t, db.QueryRow("SELECT MAX("+d.quote("offset")+") FROM "+d.quote("watermill_"+topic)).Scan(&last))
	return acked.Valid && acked.Int64 == last.Int64
}

// counter counts occurrences per message id.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func newCounter() *counter { return &counter{n: map[string]int{}} }

func (c *counter) add(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[id]++
}

// total returns how many distinct ids were counted.
func (c *counter) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.n)
}

func (c *counter) count(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[id]
}

// freshMySQLOutbox opens the MySQL database of the tests and returns it
// with a new outbox topic named after prefix, whose tables are dropped.
func freshMySQLOutbox(t *testing.T, prefix string) (dialect, *sql.DB, string) {
	t.Helper()
	d := dialects[1]
	require.Equal(t, sourceflow.MySQL, d.dialect)
	db := d.open(t)
	topic := uniqueName(prefix)
	d.dropOutbox(t, db, topic)
	return d, db, topic
}
