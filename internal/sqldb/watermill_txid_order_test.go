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

// txidRows creates the tables of a new topic on PostgreSQL and writes one
// row per uuid, in order, each with its transaction id, as if written by
// transactions that ended long ago. It returns the topic.
func txidRows(t *testing.T, db *sql.DB, rows [][2]string) string {
	t.Helper()
	topic := uniqueName("txid")
	dropTopicTables(t, sqldb.Postgres, db, topic)
	require.NoError(t, pollSubscriber(t, sqldb.Postgres, db, topic, "g", 30*time.Second).SubscribeInitialize(topic))
	for _, r := range rows {
		_, err := db.Exec(`INSERT INTO "watermill_`+topic+`" ("transaction_id", "uuid", "payload", "metadata") VALUES ($1::xid8, $2, $3, $4)`,
			r[0], r[1], []byte(`{}`), `{}`)
		require.NoError(t, err)
	}
	return topic
}

// Transaction ids sort as numbers, not as their text: rows of transactions
// 9 and 10 (whose texts sort the other way, as they do whenever the
// database's transaction counter gains a digit) are read 9's first, and a
// read in pages reads both.
func TestWatermillReadsSortTransactionIDsAsNumbers(t *testing.T) {
	openDialects(t, []sqldb.Dialect{sqldb.Postgres}, func(t *testing.T, _ sqldb.Dialect, db *sql.DB) {
		ctx := context.Background()
		topic := txidRows(t, db, [][2]string{{"9", "a"}, {"10", "b"}})
		table := "watermill_" + topic
		uuids := func(rows []sqldb.WatermillRow) []string {
			out := make([]string, len(rows))
			for i, r := range rows {
				out[i] = r.UUID
			}
			return out
		}

		all, err := sqldb.ReadWatermillTable(ctx, db, sqldb.Postgres, table)
		require.NoError(t, err)
		assert.Equal(t, []string{"a", "b"}, uuids(all), "the table in delivery order")
		head, _, err := sqldb.ReadWatermillHead(ctx, db, sqldb.Postgres, table, sqldb.WatermillHead{Limit: 1})
		require.NoError(t, err)
		assert.Equal(t, []string{"a"}, uuids(head), "the head is the oldest row")
		var paged []string
		require.NoError(t, sqldb.EachWatermillPage(ctx, db, sqldb.Postgres, table, 1, func(rows []sqldb.WatermillRow) error {
			paged = append(paged, uuids(rows)...)
			return nil
		}))
		assert.Equal(t, []string{"a", "b"}, paged, "every row, in delivery order")
	})
}

// A prune keeps what the slowest group has yet to read when the groups'
// transaction ids differ in length: the group at transaction 9 is the
// slowest, not the one at 10.
func TestPruneConsumedFindsTheSlowestGroupByTransactionNumber(t *testing.T) {
	openDialects(t, []sqldb.Dialect{sqldb.Postgres}, func(t *testing.T, _ sqldb.Dialect, db *sql.DB) {
		topic := txidRows(t, db, [][2]string{{"9", "a"}, {"9", "b"}, {"10", "c"}})
		offsets := columnOf(t, db, `SELECT "offset" FROM "watermill_`+topic+`" ORDER BY "offset"`)
		require.Len(t, offsets, 3)
		_, err := db.Exec(`DELETE FROM "watermill_offsets_` + topic + `"`) // only the two groups below
		require.NoError(t, err)
		_, err = db.Exec(`INSERT INTO "watermill_offsets_`+topic+`" (consumer_group, offset_acked, last_processed_transaction_id)
			VALUES ('slow', $1, '9'), ('fast', $2, '10')`, offsets[0], offsets[2])
		require.NoError(t, err)

		_, err = sqldb.PruneConsumed(context.Background(), db, sqldb.Postgres, topic)
		require.NoError(t, err)
		left := columnOf(t, db, `SELECT "uuid" FROM "watermill_`+topic+`" ORDER BY "offset"`)
		assert.Equal(t, []string{"a", "b", "c"}, left, "the slow group's position and what it has yet to read are kept")
	})
}

// columnOf returns the one column q selects, each value as text.
func columnOf(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		require.NoError(t, rows.Scan(&v))
		out = append(out, v)
	}
	require.NoError(t, rows.Err())
	return out
}
