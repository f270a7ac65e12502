package sqldb

import (
	"fmt"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
)

// mysqlGroupColumn is the type of the consumer_group column of the offsets
// tables on MySQL: bytes, compared byte for byte. watermill-sql declares
// VARCHAR(255) in the database's default character set, whose collation
// (latin1_swedish_ci on MariaDB, utf8mb4_0900_ai_ci on MySQL 8) ignores
// case (on MySQL 8 accents too, on MariaDB trailing spaces): two services
// whose names differ only so would share one offsets row, each getting
// part of the messages, and a name outside latin1 would not be stored as
// given.
// 767 bytes is the longest key every InnoDB row format indexes.
const mysqlGroupColumn = "VARBINARY(767)"

// SchemaInitializingQueries creates a topic's offsets table as
// watermill-sql's MySQL adapter does, but with consumer_group of
// mysqlGroupColumn. A table created before keeps its column; ALTER TABLE
// ... MODIFY consumer_group VARCHAR(255) CHARACTER SET utf8mb4 COLLATE
// utf8mb4_bin NOT NULL, then ALTER TABLE ... MODIFY consumer_group
// VARBINARY(767) NOT NULL, converts it. The first turns names stored in
// another character set (latin1) into the UTF-8 bytes the services
// compare with: the second keeps a column's bytes as they are.
func (a mysqlOffsets) SchemaInitializingQueries(p wsql.OffsetsSchemaInitializingQueriesParams) ([]wsql.Query, error) {
	return []wsql.Query{{Query: fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s (\n"+
		"consumer_group %s NOT NULL,\n"+
		"offset_acked BIGINT,\n"+
		"offset_consumed BIGINT NOT NULL,\n"+
		"PRIMARY KEY(consumer_group)\n)", a.MessagesOffsetsTable(p.Topic), mysqlGroupColumn)}}, nil
}
