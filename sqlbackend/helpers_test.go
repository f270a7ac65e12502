package sqlbackend_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
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

// dsn returns the DSN of the dialect: a fresh SQLite file, or the database
// named by the environment. Without it a PostgreSQL test fails in the
// integration run (postgresRequired); otherwise it is skipped loudly.
func (d dialect) dsn(t testing.TB) string {
	t.Helper()
	if d.dialect == sourceflow.SQLite {
		return "file:" + filepath.Join(t.TempDir(), "backend.db")
	}
	if dsn := os.Getenv(d.env); dsn != "" {
		return dsn
	}
	msg := fmt.Sprintf("%s is not set: the %s backend tests did NOT run (make test starts a database and sets it)", d.env, d.dialect)
	if d.dialect == sourceflow.Postgres && postgresRequired {
		t.Fatal(msg)
	}
	t.Skip("SKIPPED: " + msg)
	return ""
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
		for _, suffix := range tableSuffixes {
			_, err := db.Exec("DROP TABLE IF EXISTS " + cfg.TablePrefix + suffix)
			assert.NoError(t, err)
		}
		assert.NoError(t, b.Close())
	})
	return b
}

// countOf counts the occurrences of sub in s.
func countOf(s, sub string) int { return strings.Count(s, sub) }
