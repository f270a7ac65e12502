package sqldb_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// TestSourceOfNamesTheDatabase tells pools on one database apart from pools
// on two: the password and settings do not count, the server and database
// do.
func TestSourceOfNamesTheDatabase(t *testing.T) {
	pg := sqldb.SourceOf(sqldb.Postgres, "postgres://app:secret@db.internal:5432/billing?sslmode=require")
	assert.NotEmpty(t, pg)
	assert.NotContains(t, pg, "secret", "no credentials")
	my := sqldb.SourceOf(sqldb.MySQL, "app:secret@tcp(db:3306)/billing?parseTime=true")
	assert.NotEmpty(t, my)
	assert.NotContains(t, my, "secret")

	for _, unknown := range []struct {
		d   sqldb.Dialect
		dsn string
	}{
		{sqldb.Postgres, ""}, {sqldb.Postgres, "postgres://%zz"}, {sqldb.MySQL, "not a dsn"},
		{sqldb.MySQL, "app:pw@tcp(db:3306)/"},
		{sqldb.SQLite, ":memory:"}, {sqldb.SQLite, "file::memory:?cache=shared"}, {sqldb.SQLite, "file:x.db?mode=memory"},
	} {
		assert.Empty(t, sqldb.SourceOf(unknown.d, unknown.dsn), "%s %q: each pool has its own database, or it is not known", unknown.d, unknown.dsn)
	}
}

// TestSourceOfIsOneOnlyForOneDatabase: two DSNs share a source only when
// they reach the same tables; any doubt makes them two (a refusal of a
// valid wiring is worse than the old behaviour).
func TestSourceOfIsOneOnlyForOneDatabase(t *testing.T) {
	t.Setenv("PGDATABASE", "")
	t.Setenv("PGUSER", "")
	t.Setenv("PGOPTIONS", "")
	for _, c := range []struct {
		name string
		d    sqldb.Dialect
		a, b string
		same bool
	}{
		{"pg: the password and pool settings do not count", sqldb.Postgres,
			"postgres://app:secret@db.internal:5432/billing?sslmode=require",
			"postgres://app:other@db.internal:5432/billing?pool_max_conns=4&sslmode=require", true},
		{"pg: URL and key=value forms, default port", sqldb.Postgres,
			"postgres://app@db.internal/billing", "host=db.internal port=5432 user=app dbname=billing", true},
		{"pg: another database", sqldb.Postgres,
			"postgres://app@db.internal:5432/billing", "postgres://app@db.internal:5432/notify", false},
		{"pg: another port", sqldb.Postgres,
			"postgres://app@db.internal:5432/billing", "postgres://app@db.internal:5433/billing", false},
		{"pg: no database, so the user's", sqldb.Postgres,
			"postgres://alice@db.internal/", "postgres://bob@db.internal/", false},
		{"pg: another user (search_path starts with $user)", sqldb.Postgres,
			"postgres://alice@db.internal/billing", "postgres://bob@db.internal/billing", false},
		{"pg: another search_path", sqldb.Postgres,
			"postgres://app@db.internal/billing?search_path=a", "postgres://app@db.internal/billing?search_path=b", false},
		{"pg: a search_path set by options", sqldb.Postgres,
			"host=db.internal user=app dbname=billing", "host=db.internal user=app dbname=billing options='-c search_path=b'", false},
		{"pg: unix sockets in two directories", sqldb.Postgres,
			"host=/var/run/postgresql user=app dbname=billing", "host=/tmp user=app dbname=billing", false},
		{"pg: a socket and a TCP address", sqldb.Postgres,
			"host=/var/run/postgresql user=app dbname=billing", "host=localhost user=app dbname=billing", false},
		{"pg: other fallback hosts", sqldb.Postgres,
			"host=a,b user=app dbname=billing", "host=a,c user=app dbname=billing", false},
		{"mysql: the user and settings do not count", sqldb.MySQL,
			"app:secret@tcp(db:3306)/billing?parseTime=true", "other:pw@tcp(db:3306)/billing", true},
		{"mysql: default address", sqldb.MySQL,
			"app@/billing", "app@tcp(127.0.0.1:3306)/billing", true},
		{"mysql: another database", sqldb.MySQL,
			"app:secret@tcp(db:3306)/billing", "app:secret@tcp(db:3306)/notify", false},
		{"mysql: another server", sqldb.MySQL,
			"app@tcp(db:3306)/billing", "app@tcp(db2:3306)/billing", false},
		{"mysql: a socket and TCP", sqldb.MySQL,
			"app@unix(/run/mysqld/mysqld.sock)/billing", "app@tcp(127.0.0.1:3306)/billing", false},
		{"mysql: two sockets", sqldb.MySQL,
			"app@unix(/run/mysqld/mysqld.sock)/billing", "app@unix(/tmp/mysql.sock)/billing", false},
		{"sqlite: options do not count", sqldb.SQLite,
			"file:/var/lib/app.db?_pragma=busy_timeout(1000)", "file:/var/lib/app.db", true},
		{"sqlite: another file", sqldb.SQLite, "file:/var/lib/app.db", "file:/var/lib/other.db", false},
	} {
		a, b := sqldb.SourceOf(c.d, c.a), sqldb.SourceOf(c.d, c.b)
		assert.NotEmpty(t, a, c.name)
		assert.Equal(t, c.same, a == b, "%s: %q and %q", c.name, a, b)
	}
}
