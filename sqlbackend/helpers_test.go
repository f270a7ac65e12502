package sqlbackend_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
	"github.com/sourceflow-go/sourceflow/sqlbackend"
)

// dialect is one database the tests run on, with the environment variable
// naming its DSN (none for SQLite, which always runs).
type dialect struct {
	dialect sourceflow.Dialect
	env     string
}

var dialects = []dialect{
	{sourceflow.SQLite, ""},
	{sourceflow.Postgres, "SOURCEFLOW_POSTGRES_DSN"},
	{sourceflow.MySQL, "SOURCEFLOW_MYSQL_DSN"},
}

// eachDialect runs fn as a subtest per dialect.
func eachDialect(t *testing.T, fn func(t *testing.T, d dialect)) {
	for _, d := range dialects {
		t.Run(string(d.dialect), func(t *testing.T) { fn(t, d) })
	}
}

// dsn returns the DSN of the dialect's test database.
func (d dialect) dsn(t testing.TB) string {
	t.Helper()
	return sqldbtest.DSN(t, string(d.dialect), d.env, d.dialect == sourceflow.Postgres && postgresRequired)
}

// uniquePrefix returns a table prefix no other test uses.
func uniquePrefix() string {
	return "sfb_" + strings.ToLower(rand.Text()[:10]) + "_"
}

// tableSuffixes are the tables a Backend creates after its prefix.
var tableSuffixes = []string{"sequences", "commands", "entities", "views", "schema_version", "idempotency", "idempotency_version"}

// open opens a Backend on a fresh prefix on the dialect's database; its
// tables are dropped, and the Backend closed, after the test, unless the
// test closed it.
func (d dialect) open(t testing.TB, cfg sqlbackend.Config) *sqlbackend.Backend {
	t.Helper()
	cfg.Dialect, cfg.DSN, cfg.TablePrefix = d.dialect, d.dsn(t), uniquePrefix()
	b, err := sqlbackend.Open(context.Background(), cfg)
	require.NoError(t, err)
	db := b.Store().DB()
	t.Cleanup(func() {
		if db.Ping() != nil { // the test closed the Backend
			return
		}
		dropTables(t, db, cfg.TablePrefix)
		assert.NoError(t, b.Close())
	})
	return b
}

// dropTables drops the tables a Backend with prefix creates.
func dropTables(t testing.TB, db *sql.DB, prefix string) {
	for _, suffix := range tableSuffixes {
		_, err := db.Exec("DROP TABLE IF EXISTS " + prefix + suffix)
		assert.NoError(t, err)
	}
}

// assertClosed checks that tr was closed: a publish on it is refused.
func assertClosed(t *testing.T, tr *cqrs.ChannelTransport) {
	t.Helper()
	pub, err := tr.Publisher("any")
	require.NoError(t, err)
	assert.ErrorContains(t, pub.Publish("any", message.NewMessage("m-1", nil)), "closed",
		"Close did not close the outbox, which closes the transport behind it")
}
