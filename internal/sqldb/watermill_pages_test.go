package sqldb_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// EachWatermillPage reads a table in pages of the limit, in delivery
// order, while its callback deletes each page and writes a row back behind
// the others (as a redrive whose messages fail again does): it reads every
// row that was there once and none written meanwhile, so it ends.
func TestEachWatermillPageReadsTheRowsThereWhenItBeganInPages(t *testing.T) {
	// watermill-sql has no SQLite schema: the SQL transports run on
	// PostgreSQL and MySQL.
	openDialects(t, []sqldb.Dialect{sqldb.Postgres, sqldb.MySQL}, func(t *testing.T, d sqldb.Dialect, db *sql.DB) {
		ctx := context.Background()
		topic := uniqueName("pages")
		table := "watermill_" + topic
		t.Cleanup(func() { _, _ = db.Exec("DROP TABLE " + quote(d, table)) })
		pub, err := wsql.NewPublisher(wsql.BeginnerFromStdSQL(db), wsql.PublisherConfig{
			SchemaAdapter: sqldb.WatermillSchema("test", d, 0, nil), AutoInitializeSchema: true}, watermill.NopLogger{})
		require.NoError(t, err)
		var msgs []*message.Message
		for i := range 250 {
			msgs = append(msgs, message.NewMessage(fmt.Sprintf("m-%03d", i), []byte(`{}`)))
		}
		require.NoError(t, pub.Publish(topic, msgs[:120]...))
		require.NoError(t, pub.Publish(topic, msgs[120:]...))

		var sizes []int
		var read []string
		err = sqldb.EachWatermillPage(ctx, db, d, table, 100, func(rows []sqldb.WatermillRow) error {
			sizes = append(sizes, len(rows))
			for _, r := range rows {
				read = append(read, r.UUID)
				taken, err := sqldb.TakeWatermillRow(ctx, db, d, table, r)
				require.NoError(t, err)
				require.True(t, taken)
			}
			return pub.Publish(topic, message.NewMessage(fmt.Sprintf("again-%d", len(sizes)), []byte(`{}`)))
		})
		require.NoError(t, err)
		assert.Equal(t, []int{100, 100, 50}, sizes)
		want := make([]string, len(msgs))
		for i, m := range msgs {
			want[i] = m.UUID
		}
		assert.Equal(t, want, read, "every row there at the start, once, in delivery order")
		left, err := sqldb.ReadWatermillTable(ctx, db, d, table)
		require.NoError(t, err)
		assert.Len(t, left, 3, "the rows written meanwhile are not read")

		missing := 0
		require.NoError(t, sqldb.EachWatermillPage(ctx, db, d, "watermill_"+uniqueName("none"), 100, func([]sqldb.WatermillRow) error {
			missing++
			return nil
		}))
		assert.Zero(t, missing, "a table that does not exist has no rows")
	})
}

func quote(d sqldb.Dialect, table string) string {
	if d == sqldb.MySQL {
		return "`" + table + "`"
	}
	return `"` + table + `"`
}
