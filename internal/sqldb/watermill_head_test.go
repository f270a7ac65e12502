package sqldb_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// eachPayloadColumn runs fn as the subtests "bytes" and "json", on a
// payload column of bytes (sqlbus) and of JSON (the outbox); publish
// writes messages to a new table of Watermill's schema on d, named after
// prefix, dropped when the test ends, and returns the table's name.
func eachPayloadColumn(t *testing.T, d sqldb.Dialect, db *sql.DB, prefix string, fn func(t *testing.T, json bool, publish func(...*message.Message) string)) {
	bytesColumn := map[sqldb.Dialect]string{sqldb.Postgres: "BYTEA", sqldb.MySQL: "LONGBLOB"}[d]
	for _, tc := range []struct {
		name        string
		payloadType func(string) string
		json        bool
	}{
		{"bytes", func(string) string { return bytesColumn }, false},
		{"json", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fn(t, tc.json, func(msgs ...*message.Message) string {
				t.Helper()
				topic := uniqueName(prefix)
				table := "watermill_" + topic
				t.Cleanup(func() { _, _ = db.Exec("DROP TABLE " + quote(d, table)) })
				pub, err := wsql.NewPublisher(wsql.BeginnerFromStdSQL(db), wsql.PublisherConfig{
					SchemaAdapter: sqldb.WatermillSchema("test", d, 0, tc.payloadType), AutoInitializeSchema: true}, watermill.NopLogger{})
				require.NoError(t, err)
				require.NoError(t, pub.Publish(topic, msgs...))
				return table
			})
		})
	}
}

// ReadWatermillHead reads the first rows of a table, up to its limit, and
// counts the rest; with PayloadBytes each payload is cut to its start, on
// a payload column of bytes (sqlbus) and of JSON (the outbox).
func TestReadWatermillHeadReadsUpToTheLimitAndCountsTheRest(t *testing.T) {
	openDialects(t, []sqldb.Dialect{sqldb.Postgres, sqldb.MySQL}, func(t *testing.T, d sqldb.Dialect, db *sql.DB) {
		eachPayloadColumn(t, d, db, "head", func(t *testing.T, json bool, publish func(...*message.Message) string) {
			ctx := context.Background()
			var msgs []*message.Message
			for i := range 25 {
				msgs = append(msgs, message.NewMessage(fmt.Sprintf("m-%02d", i), fmt.Appendf(nil, `{"n":"%s"}`, strings.Repeat("x", 100+i))))
			}
			table := publish(msgs...)
			head := sqldb.WatermillHead{Limit: 10, JSONPayload: json}

			whole, more, err := sqldb.ReadWatermillHead(ctx, db, d, table, head)
			require.NoError(t, err)
			require.Len(t, whole, 10)
			assert.Equal(t, int64(15), more)
			for i, r := range whole {
				assert.Equal(t, msgs[i].UUID, r.UUID, "the oldest first")
				assert.JSONEq(t, string(msgs[i].Payload), string(r.Payload), "read whole")
			}

			head.PayloadBytes = 8
			rows, more, err := sqldb.ReadWatermillHead(ctx, db, d, table, head)
			require.NoError(t, err)
			require.Len(t, rows, 10)
			assert.Equal(t, int64(15), more)
			for i, r := range rows {
				// A JSON column may hold the text normalized (MySQL): cut from what it holds.
				assert.Equal(t, string(whole[i].Payload[:8]), string(r.Payload), "cut to its first 8 bytes")
			}

			rows, more, err = sqldb.ReadWatermillHead(ctx, db, d, table, sqldb.WatermillHead{Limit: 30})
			require.NoError(t, err)
			assert.Len(t, rows, 25)
			assert.Zero(t, more)
		})

		rows, more, err := sqldb.ReadWatermillHead(context.Background(), db, d, "watermill_"+uniqueName("none"), sqldb.WatermillHead{Limit: 10})
		require.NoError(t, err)
		assert.Empty(t, rows, "a table that does not exist has no rows")
		assert.Zero(t, more)
	})
}

// ReadWatermillHead refuses a limit below 1 and negative payload bytes,
// naming them, before it reads.
func TestReadWatermillHeadRefusesABadLimit(t *testing.T) {
	for _, h := range []sqldb.WatermillHead{{Limit: 0}, {Limit: -1}, {Limit: 1, PayloadBytes: -1}} {
		_, _, err := sqldb.ReadWatermillHead(context.Background(), nil, sqldb.Postgres, "watermill_x", h)
		require.Error(t, err)
		assert.Contains(t, err.Error(), fmt.Sprintf("limit %d and payload bytes %d", h.Limit, h.PayloadBytes))
	}
}

// PayloadBytes bounds the bytes read of a payload of multi-byte UTF-8
// text, on a JSON column (read as characters by both databases) as on a
// column of bytes: the cut is the start of the payload, at most that long.
func TestReadWatermillHeadCutsMultiByteTextToBytes(t *testing.T) {
	openDialects(t, []sqldb.Dialect{sqldb.Postgres, sqldb.MySQL}, func(t *testing.T, d sqldb.Dialect, db *sql.DB) {
		eachPayloadColumn(t, d, db, "head_utf8", func(t *testing.T, json bool, publish func(...*message.Message) string) {
			ctx := context.Background()
			table := publish(message.NewMessage("m-utf8", []byte(`{"n":"`+strings.Repeat("日本", 40)+`"}`)))
			head := sqldb.WatermillHead{Limit: 1, JSONPayload: json}
			whole, _, err := sqldb.ReadWatermillHead(ctx, db, d, table, head)
			require.NoError(t, err)
			require.Len(t, whole, 1)

			head.PayloadBytes = 20
			rows, _, err := sqldb.ReadWatermillHead(ctx, db, d, table, head)
			require.NoError(t, err)
			require.Len(t, rows, 1)
			assert.Len(t, rows[0].Payload, 20, "cut to its first 20 bytes, not characters")
			assert.Equal(t, string(whole[0].Payload[:20]), string(rows[0].Payload))
		})
	})
}
