package sqldb_test

import (
	"context"
	"database/sql"
	"testing"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// A messages table created by the MySQL schema holds any UTF-8 message id
// of up to 36 characters unchanged, whatever the database's default
// character set (latin1 on MariaDB), and tells ids apart byte for byte.
func TestMySQLMessagesTableHoldsAnyUTF8ID(t *testing.T) {
	openDialects(t, []sqldb.Dialect{sqldb.MySQL}, func(t *testing.T, d sqldb.Dialect, db *sql.DB) {
		ctx := context.Background()
		topic := uniqueName("uuid")
		dropTopicTables(t, d, db, topic)
		schema := sqldb.WatermillSchema("test", d, 10, nil)
		queries, err := schema.SchemaInitializingQueries(wsql.SchemaInitializingQueriesParams{Topic: topic})
		require.NoError(t, err)
		require.NoError(t, sqldb.ExecSchema(ctx, db, schema, queries))

		ids := []string{"заказ-1", "注文-😀", "Order-1", "order-1"}
		pub, err := wsql.NewPublisher(wsql.BeginnerFromStdSQL(db), wsql.PublisherConfig{SchemaAdapter: schema}, nil)
		require.NoError(t, err)
		for _, id := range ids {
			require.NoError(t, pub.Publish(topic, message.NewMessage(id, []byte("{}"))), "publish %q", id)
		}

		rows, err := sqldb.ReadWatermillTable(ctx, db, d, "watermill_"+topic)
		require.NoError(t, err)
		got := make([]string, len(rows))
		for i, r := range rows {
			got[i] = r.UUID
		}
		assert.Equal(t, ids, got)

		var n int
		require.NoError(t, db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+quote(d, "watermill_"+topic)+" WHERE uuid = ?", "order-1").Scan(&n))
		assert.Equal(t, 1, n, "ids differing in case are different ids")
	})
}

// A messages table created before the uuid column was UTF-8, in a latin1
// database, converted with the statement CHANGELOG.md gives, keeps the ids
// it holds and takes ids outside latin1.
func TestConvertedLatin1MessagesTableKeepsItsIDs(t *testing.T) {
	openDialects(t, []sqldb.Dialect{sqldb.MySQL}, func(t *testing.T, d sqldb.Dialect, db *sql.DB) {
		ctx := context.Background()
		topic := uniqueName("uuidconv")
		dropTopicTables(t, d, db, topic)
		table := quote(d, "watermill_"+topic)
		_, err := db.ExecContext(ctx, "CREATE TABLE "+table+" (`offset` BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, "+
			"`uuid` VARCHAR(36) CHARACTER SET latin1 NOT NULL, `payload` BLOB, `metadata` JSON)")
		require.NoError(t, err)
		insert := "INSERT INTO " + table + " (uuid, payload, metadata) VALUES (?, 'x', '{}')"
		_, err = db.ExecContext(ctx, insert, "café-1")
		require.NoError(t, err)

		_, err = db.ExecContext(ctx, "ALTER TABLE "+table+" MODIFY `uuid` VARCHAR(36) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL")
		require.NoError(t, err)
		_, err = db.ExecContext(ctx, insert, "заказ-1")
		require.NoError(t, err)

		rows, err := sqldb.ReadWatermillTable(ctx, db, d, "watermill_"+topic)
		require.NoError(t, err)
		require.Len(t, rows, 2)
		assert.Equal(t, "café-1", rows[0].UUID)
		assert.Equal(t, "заказ-1", rows[1].UUID)
	})
}
