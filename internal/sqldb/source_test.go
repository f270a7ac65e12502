package sqldb_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// TestSourceOfNamesTheDatabase tells pools on one database apart from pools
// on two: the user and settings do not count, the server and database do.
func TestSourceOfNamesTheDatabase(t *testing.T) {
	pg := sqldb.SourceOf(sqldb.Postgres, "postgres://app:secret@db.internal:5432/billing?sslmode=require")
	assert.NotEmpty(t, pg)
	assert.NotContains(t, pg, "secret", "no credentials")
	assert.Equal(t, pg, sqldb.SourceOf(sqldb.Postgres, "postgres://other@db.internal:5432/billing?pool_max_conns=4&sslmode=require"))
	assert.NotEqual(t, pg, sqldb.SourceOf(sqldb.Postgres, "postgres://app:secret@db.internal:5432/notify?sslmode=require"))
	assert.NotEqual(t, pg, sqldb.SourceOf(sqldb.Postgres, "postgres://app:secret@db.internal:5433/billing?sslmode=require"))

	my := sqldb.SourceOf(sqldb.MySQL, "app:secret@tcp(db:3306)/billing?parseTime=true")
	assert.NotEmpty(t, my)
	assert.NotContains(t, my, "secret")
	assert.Equal(t, my, sqldb.SourceOf(sqldb.MySQL, "other:pw@tcp(db:3306)/billing"))
	assert.NotEqual(t, my, sqldb.SourceOf(sqldb.MySQL, "app:secret@tcp(db:3306)/notify"))

	lite := sqldb.SourceOf(sqldb.SQLite, "file:/var/lib/app.db?_pragma=busy_timeout(1000)")
	assert.Equal(t, lite, sqldb.SourceOf(sqldb.SQLite, "file:/var/lib/app.db"))
	assert.NotEqual(t, lite, sqldb.SourceOf(sqldb.SQLite, "file:/var/lib/other.db"))

	for _, unknown := range []struct {
		d   sqldb.Dialect
		dsn string
	}{
		{sqldb.Postgres, ""}, {sqldb.Postgres, "postgres://%zz"}, {sqldb.MySQL, "not a dsn"},
		{sqldb.SQLite, ":memory:"}, {sqldb.SQLite, "file::memory:?cache=shared"}, {sqldb.SQLite, "file:x.db?mode=memory"},
	} {
		assert.Empty(t, sqldb.SourceOf(unknown.d, unknown.dsn), "%s %q: each pool has its own database, or it is not known", unknown.d, unknown.dsn)
	}
}
