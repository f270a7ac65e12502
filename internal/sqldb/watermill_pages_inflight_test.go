package sqldb_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// A row whose transaction began before EachWatermillPage and commits
// while it reads sorts before the last row it found (PostgreSQL orders by
// transaction id): it was not there when the read began, so it is not
// read (a purge would delete a dead letter written meanwhile).
func TestEachWatermillPageSkipsARowCommittedByATransactionOpenWhenItBegan(t *testing.T) {
	openDialects(t, []sqldb.Dialect{sqldb.Postgres}, func(t *testing.T, d sqldb.Dialect, db *sql.DB) {
		ctx := context.Background()
		table := "watermill_" + uniqueName("inflight")
		_, err := db.Exec(`CREATE TABLE "` + table + `" ("offset" BIGSERIAL, "uuid" VARCHAR(36) NOT NULL, "created_at" TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
			"payload" BYTEA DEFAULT NULL, "metadata" JSON DEFAULT NULL, "transaction_id" xid8 NOT NULL, PRIMARY KEY ("transaction_id", "offset"))`)
		require.NoError(t, err)
		t.Cleanup(func() { _, _ = db.Exec(`DROP TABLE "` + table + `"`) })
		insert := `INSERT INTO "` + table + `" ("uuid", "payload", "metadata", "transaction_id") VALUES ($1, '{}', '{}', pg_current_xact_id())`
		for i := range 2 {
			_, err := db.Exec(insert, fmt.Sprintf("before-%d", i))
			require.NoError(t, err)
		}
		open, err := db.BeginTx(ctx, nil)
		require.NoError(t, err)
		defer func() { _ = open.Rollback() }()
		_, err = open.Exec(insert, "in-flight")
		require.NoError(t, err)
		_, err = db.Exec(insert, "after-in-flight")
		require.NoError(t, err)

		var read []string
		err = sqldb.EachWatermillPage(ctx, db, d, table, 1, func(rows []sqldb.WatermillRow) error {
			for _, r := range rows {
				read = append(read, r.UUID)
			}
			if len(read) == 1 {
				return open.Commit()
			}
			return nil
		})
		require.NoError(t, err)
		assert.Equal(t, []string{"before-0", "before-1", "after-in-flight"}, read, "only the rows committed when the read began")
	})
}
