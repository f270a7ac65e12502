package sqldb_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// ReadWatermillHead counts the rows past its head only up to its bound:
// a table holding more is reported as holding the bound more (at least
// that many), one holding the bound or fewer exactly.
func TestReadWatermillHeadCountsTheRestUpToItsBound(t *testing.T) {
	openDialects(t, []sqldb.Dialect{sqldb.Postgres, sqldb.MySQL}, func(t *testing.T, d sqldb.Dialect, db *sql.DB) {
		eachPayloadColumn(t, d, db, "head_bound", func(t *testing.T, json bool, publish func(...*message.Message) string) {
			var msgs []*message.Message
			for i := range 12 {
				msgs = append(msgs, message.NewMessage(fmt.Sprintf("m-%02d", i), []byte(`{}`)))
			}
			table := publish(msgs...)
			for _, tc := range []struct {
				bound, want int64
			}{{3, 3}, {9, 9}, {10, 9}, {50, 9}} {
				rows, more, err := sqldb.ReadWatermillHead(context.Background(), db, d, table,
					sqldb.WatermillHead{Limit: 3, JSONPayload: json, MoreBound: tc.bound})
				require.NoError(t, err)
				assert.Len(t, rows, 3)
				assert.Equal(t, tc.want, more, "bound %d", tc.bound)
			}
		})
	})
}
