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

// convertGroupColumn holds the statements that CHANGELOG.md (and the
// comment of sqldb's MySQL offsets adapter) give for converting an offsets
// table created with watermill-sql's VARCHAR consumer_group.
var convertGroupColumn = []string{
	"ALTER TABLE %s MODIFY consumer_group VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL",
	"ALTER TABLE %s MODIFY consumer_group VARBINARY(767) NOT NULL",
}

// An offsets table created before consumer_group was VARBINARY, in a
// latin1 database (MariaDB's default), keeps the position of a group whose
// name holds a character of latin1 beyond ASCII through the documented
// conversion: the group is found by its name, at its position, and does
// not start over from the first row.
func TestConvertedLatin1OffsetsTableKeepsEveryGroupsPosition(t *testing.T) {
	openDialects(t, []sqldb.Dialect{sqldb.MySQL}, func(t *testing.T, d sqldb.Dialect, db *sql.DB) {
		ctx := context.Background()
		topic := uniqueName("convert")
		dropTopicTables(t, d, db, topic)
		offsets := "`watermill_offsets_" + topic + "`"
		_, err := db.ExecContext(ctx, "CREATE TABLE "+offsets+" (consumer_group VARCHAR(255) CHARACTER SET latin1 NOT NULL, "+
			"offset_acked BIGINT, offset_consumed BIGINT NOT NULL, PRIMARY KEY(consumer_group))")
		require.NoError(t, err)
		_, err = db.ExecContext(ctx, "CREATE TABLE `watermill_"+topic+"` (`offset` BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, "+
			"`uuid` VARCHAR(36) NOT NULL, `payload` BLOB, `metadata` JSON)")
		require.NoError(t, err)
		for range 3 {
			_, err = db.ExecContext(ctx, "INSERT INTO `watermill_"+topic+"` (uuid, payload, metadata) VALUES ('x', 'x', '{}')")
			require.NoError(t, err)
		}
		for _, g := range []string{"billing", "café-ledger"} {
			_, err = db.ExecContext(ctx, "INSERT INTO "+offsets+" (consumer_group, offset_acked, offset_consumed) VALUES (?, 3, 3)", g)
			require.NoError(t, err)
		}

		for _, stmt := range convertGroupColumn {
			_, err = db.ExecContext(ctx, fmt.Sprintf(stmt, offsets))
			require.NoError(t, err)
		}

		for _, g := range []string{"billing", "café-ledger"} {
			found, ok, err := sqldb.FindGroup(ctx, db, d, topic, g)
			require.NoError(t, err)
			assert.True(t, ok, "group %q is found after the conversion", g)
			assert.Equal(t, g, found)
			ahead, err := sqldb.Backlog(ctx, db, d, topic, g)
			require.NoError(t, err)
			assert.Zero(t, ahead, "group %q keeps its position", g)
		}
		groups, err := sqldb.Groups(ctx, db, d, topic)
		require.NoError(t, err)
		assert.Equal(t, []sqldb.GroupBacklog{{Group: "billing"}, {Group: "café-ledger"}}, groups)
	})
}
