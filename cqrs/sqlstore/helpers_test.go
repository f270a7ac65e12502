package sqlstore_test

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
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
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
// integration run (postgresRequired), where make test always starts
// PostgreSQL; otherwise it is skipped loudly.
func (d dialect) dsn(t testing.TB) string {
	t.Helper()
	if d.dialect == sourceflow.SQLite {
		return "file:" + filepath.Join(t.TempDir(), "cqrs.db")
	}
	if dsn := os.Getenv(d.env); dsn != "" {
		return dsn
	}
	msg := fmt.Sprintf("%s is not set: the %s cqrs store tests did NOT run (make test starts a database and sets it)", d.env, d.dialect)
	if d.dialect == sourceflow.Postgres && postgresRequired {
		t.Fatal(msg)
	}
	t.Skip("SKIPPED: " + msg)
	return ""
}

// uniquePrefix returns a table prefix no other test uses.
func uniquePrefix() string {
	return "sf_" + strings.ToLower(rand.Text()[:10]) + "_"
}

// tableSuffixes are the tables a Store creates after its prefix.
var tableSuffixes = []string{"sequences", "commands", "entities", "views", "schema_version"}

// open opens a Store on a fresh prefix (unless cfg sets one) on the
// dialect's database (unless cfg.DSN is set); its tables are dropped after
// the test.
func (d dialect) open(t testing.TB, cfg sqlstore.Config) *sqlstore.Store {
	t.Helper()
	cfg.Dialect = d.dialect
	if cfg.DSN == "" {
		cfg.DSN = d.dsn(t)
	}
	if cfg.TablePrefix == "" {
		cfg.TablePrefix = uniquePrefix()
	}
	s, err := sqlstore.Open(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() {
		dropTables(t, s, cfg.TablePrefix)
		assert.NoError(t, s.Close())
	})
	return s
}

func dropTables(t testing.TB, s *sqlstore.Store, prefix string) {
	t.Helper()
	for _, suffix := range tableSuffixes {
		_, err := s.DB().Exec("DROP TABLE IF EXISTS " + prefix + suffix)
		assert.NoError(t, err)
	}
}
