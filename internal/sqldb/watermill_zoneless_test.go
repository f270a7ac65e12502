package sqldb_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// createZonelessTable creates topic's messages table on db as an earlier
// release did on PostgreSQL (watermill-sql's schema: created_at a
// TIMESTAMP without time zone), dropped after the test.
func createZonelessTable(t *testing.T, db *sql.DB, topic string) {
	t.Helper()
	old := wsql.DefaultPostgreSQLSchema{}
	queries, err := old.SchemaInitializingQueries(wsql.SchemaInitializingQueriesParams{Topic: topic})
	require.NoError(t, err)
	require.NoError(t, sqldb.ExecSchema(context.Background(), db, old, queries))
	t.Cleanup(func() { _, _ = db.Exec(`DROP TABLE "watermill_` + topic + `"`) })
}

// ZonelessTables names, in one query, the PostgreSQL messages tables an
// earlier release created with a zoneless created_at, not those this
// module creates nor a table that does not exist; the statement it gives
// converts a table, which it then no longer names.
func TestZonelessTablesNamesTheTablesOfAnEarlierRelease(t *testing.T) {
	ctx := context.Background()
	db := openInZone(t, sqldb.Postgres, "UTC", "")
	old, current := uniqueName("zl_old"), uniqueName("zl_new")
	createZonelessTable(t, db, old)
	publishRow(t, sqldb.Postgres, db, current)
	tables := []string{"watermill_" + current, "watermill_" + old, "watermill_" + uniqueName("zl_missing")}

	got, err := sqldb.ZonelessTables(ctx, db, sqldb.Postgres, tables...)
	require.NoError(t, err)
	assert.Equal(t, []string{"watermill_" + old}, got)

	_, err = db.ExecContext(ctx, sqldb.ZonelessAlter("watermill_"+old))
	require.NoError(t, err)
	got, err = sqldb.ZonelessTables(ctx, db, sqldb.Postgres, tables...)
	require.NoError(t, err)
	assert.Empty(t, got, "converted")
}

// On MySQL, whose TIMESTAMP holds the instant, no table is named, an
// earlier release's (watermill-sql's schema) included.
func TestZonelessTablesNamesNoneOnMySQL(t *testing.T) {
	ctx := context.Background()
	db := openInZone(t, sqldb.MySQL, "", "+00:00")
	topic := uniqueName("zl_mysql")
	old := wsql.DefaultMySQLSchema{}
	queries, err := old.SchemaInitializingQueries(wsql.SchemaInitializingQueriesParams{Topic: topic})
	require.NoError(t, err)
	require.NoError(t, sqldb.ExecSchema(ctx, db, old, queries))
	t.Cleanup(func() { _, _ = db.Exec("DROP TABLE `watermill_" + topic + "`") })

	got, err := sqldb.ZonelessTables(ctx, db, sqldb.MySQL, "watermill_"+topic)
	require.NoError(t, err)
	assert.Empty(t, got)
}

// The warning names the table, what reads wrong, and the statement the
// docs give (CreatedAtAlter) for that table.
func TestZonelessWarningGivesTheStatementOfTheTable(t *testing.T) {
	w := sqldb.ZonelessWarning("watermill_orders")
	assert.Contains(t, w, "table watermill_orders ")
	assert.Contains(t, w, "OLDEST AHEAD")
	assert.Contains(t, w, `ALTER TABLE "watermill_orders" ALTER COLUMN "created_at" TYPE timestamptz`)
	assert.Equal(t, `ALTER TABLE "watermill_<topic>" ALTER COLUMN "created_at" TYPE timestamptz`, sqldb.CreatedAtAlter)
}
