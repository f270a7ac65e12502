package sqldb_test

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// A row of a messages table that a writer's session in one time zone
// wrote is read by a session in another one as written when it was: a
// service in New York writes, an operator in Berlin (six hours east)
// reads its age, counts its stale rows and reads the database's time.
func TestWatermillRowTimesDoNotDependOnTheSessionTimeZone(t *testing.T) {
	for _, d := range []sqldb.Dialect{sqldb.Postgres, sqldb.MySQL} {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			writer := openInZone(t, d, "America/New_York", "-05:00")
			reader := openInZone(t, d, "Europe/Berlin", "+01:00")
			topic := uniqueName("zone")
			publishRow(t, d, writer, topic)

			first, _, found, err := sqldb.WatermillEnds(ctx, reader, d, "watermill_"+topic)
			require.NoError(t, err)
			require.True(t, found)
			assert.Less(t, first.Age().Abs(), time.Minute, "the row was just written, read %s old", first.Age())
			assert.WithinDuration(t, time.Now(), first.At, time.Minute, "written now")

			n, _, err := sqldb.BacklogOlderThan(ctx, reader, d, topic, "group", time.Hour)
			require.NoError(t, err)
			assert.Zero(t, n, "no row is an hour old")

			now, err := sqldb.DatabaseNow(ctx, reader, d)
			require.NoError(t, err)
			assert.WithinDuration(t, time.Now(), now, time.Minute)
		})
	}
}

// openInZone opens the test database of d with a session time zone of
// pgZone on PostgreSQL, of the UTC offset myOffset on MySQL (MariaDB
// without its time zone tables knows no zone names).
func openInZone(t *testing.T, d sqldb.Dialect, pgZone, myOffset string) *sql.DB {
	t.Helper()
	env := map[sqldb.Dialect]string{sqldb.Postgres: "SOURCEFLOW_POSTGRES_DSN", sqldb.MySQL: "SOURCEFLOW_MYSQL_DSN"}[d]
	dsn := os.Getenv(env)
	if dsn == "" {
		if d == sqldb.Postgres && postgresRequired {
			t.Fatalf("%s is not set: make test starts PostgreSQL and sets it", env)
		}
		t.Skipf("SKIPPED: %s is not set (make test sets it)", env)
	}
	sep := map[bool]string{true: "&", false: "?"}[strings.Contains(dsn, "?")]
	if d == sqldb.MySQL {
		dsn += sep + "time_zone=" + url.QueryEscape("'"+myOffset+"'")
	} else {
		dsn += sep + "timezone=" + url.QueryEscape(pgZone)
	}
	db, err := sqldb.Open(context.Background(), sqldb.Config{Dialect: d, DSN: dsn})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// publishRow creates topic's messages table on db as sqlbus and the outbox
// do, dropped after the test, and writes one message in it.
func publishRow(t *testing.T, d sqldb.Dialect, db *sql.DB, topic string) {
	t.Helper()
	ctx := context.Background()
	schema := sqldb.WatermillSchema("sqlbus", d, 0, nil)
	queries, err := schema.SchemaInitializingQueries(wsql.SchemaInitializingQueriesParams{Topic: topic})
	require.NoError(t, err)
	require.NoError(t, sqldb.ExecSchema(ctx, db, schema, queries))
	quote := map[bool]string{true: "`", false: `"`}[d == sqldb.MySQL]
	t.Cleanup(func() { _, _ = db.Exec("DROP TABLE " + quote + "watermill_" + topic + quote) })
	insert, err := schema.InsertQuery(wsql.InsertQueryParams{Topic: topic, Msgs: message.Messages{message.NewMessage("m-1", []byte("{}"))}})
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, insert.Query, insert.Args...)
	require.NoError(t, err)
}

// A PostgreSQL messages table of an earlier release, its created_at a
// TIMESTAMP, keeps working: a publish writes into it, and a reader in the
// writer's zone reads its rows' times right, as before. Converted as the
// help says (ALTER ... TYPE timestamptz in a session of the writer's
// zone), its rows are read right in any zone, those written before too.
func TestWatermillZonelessTableKeepsWorkingAndConverts(t *testing.T) {
	ctx := context.Background()
	writer := openInZone(t, sqldb.Postgres, "America/New_York", "")
	topic := uniqueName("zoneless")
	old := wsql.DefaultPostgreSQLSchema{}
	queries, err := old.SchemaInitializingQueries(wsql.SchemaInitializingQueriesParams{Topic: topic})
	require.NoError(t, err)
	require.NoError(t, sqldb.ExecSchema(ctx, writer, old, queries))
	publishRow(t, sqldb.Postgres, writer, topic)

	first, last, _, err := sqldb.WatermillEnds(ctx, writer, sqldb.Postgres, "watermill_"+topic)
	require.NoError(t, err)
	assert.Less(t, first.Age().Abs(), time.Minute, "read in the writer's zone")
	assert.Less(t, last.Age().Abs(), time.Minute, "read in the writer's zone")

	_, err = writer.ExecContext(ctx, sqldb.ZonelessAlter("watermill_"+topic))
	require.NoError(t, err)
	reader := openInZone(t, sqldb.Postgres, "Europe/Berlin", "")
	first, _, _, err = sqldb.WatermillEnds(ctx, reader, sqldb.Postgres, "watermill_"+topic)
	require.NoError(t, err)
	assert.Less(t, first.Age().Abs(), time.Minute, "converted, read in another zone")
}

// The PostgreSQL messages table is created with a created_at that holds
// its time zone.
func TestWatermillSchemaCreatesPostgresCreatedAtWithZone(t *testing.T) {
	queries, err := sqldb.WatermillSchema("sqlbus", sqldb.Postgres, 0, nil).
		SchemaInitializingQueries(wsql.SchemaInitializingQueriesParams{Topic: "orders"})
	require.NoError(t, err)
	var all strings.Builder
	for _, q := range queries {
		all.WriteString(q.Query)
	}
	assert.Contains(t, all.String(), `"created_at" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP`)
	assert.NotContains(t, all.String(), `"created_at" TIMESTAMP NOT NULL`)
}
