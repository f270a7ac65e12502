package sqldb_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// BacklogOlderThan counts the rows a group has yet to read that were
// written longer ago than the age given, by the database's clock, and
// tells a topic without a table from an empty one.
func TestBacklogOlderThanCountsOnlyTheOldRowsAhead(t *testing.T) {
	openDialects(t, []sqldb.Dialect{sqldb.Postgres, sqldb.MySQL}, func(t *testing.T, d sqldb.Dialect, db *sql.DB) {
		ctx := context.Background()
		topic := uniqueName("stale")
		n, exists, err := sqldb.BacklogOlderThan(ctx, db, d, topic, "group", time.Minute)
		require.NoError(t, err)
		assert.False(t, exists, "no table yet")
		assert.Zero(t, n)

		create, insert, backdate := `CREATE TABLE "watermill_`+topic+`" ("offset" BIGSERIAL, `+
			`"transaction_id" xid8 NOT NULL DEFAULT pg_current_xact_id(), "created_at" TIMESTAMP NOT NULL DEFAULT now())`,
			`INSERT INTO "watermill_`+topic+`" DEFAULT VALUES`,
			`UPDATE "watermill_`+topic+`" SET "created_at" = "created_at" - INTERVAL '1 hour' WHERE "offset" = 1`
		if d == sqldb.MySQL {
			create, insert, backdate = "CREATE TABLE `watermill_"+topic+"` (`offset` BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, "+
				"`created_at` TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)",
				"INSERT INTO `watermill_"+topic+"` () VALUES ()",
				"UPDATE `watermill_"+topic+"` SET `created_at` = `created_at` - INTERVAL 1 HOUR WHERE `offset` = 1"
		}
		for _, q := range []string{create, insert, insert, backdate} {
			_, err := db.ExecContext(ctx, q)
			require.NoError(t, err, q)
		}
		quote := map[bool]string{true: "`", false: `"`}[d == sqldb.MySQL]
		t.Cleanup(func() { _, _ = db.Exec("DROP TABLE " + quote + "watermill_" + topic + quote) })

		n, exists, err = sqldb.BacklogOlderThan(ctx, db, d, topic, "group", time.Minute)
		require.NoError(t, err)
		assert.True(t, exists)
		assert.Equal(t, int64(1), n, "one of the two rows was written an hour ago")
		n, _, err = sqldb.BacklogOlderThan(ctx, db, d, topic, "group", 2*time.Hour)
		require.NoError(t, err)
		assert.Zero(t, n, "none two hours ago")
	})
}
