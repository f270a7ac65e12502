package sqldb

import (
	"strings"

	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
)

// mysqlUUIDColumn is the type of the uuid column of the messages tables on
// MySQL: UTF-8 text in a binary collation. watermill-sql declares
// VARCHAR(36) in the database's default character set, which on MariaDB is
// latin1: a message id outside latin1 ("заказ-1") is then refused on every
// publish (Incorrect string value), or, outside strict mode, stored with
// '?' in place of each such character, while PostgreSQL stores it as
// given. utf8mb4_bin tells apart ids that differ in case too (it pads, so
// ids that differ only in trailing spaces compare equal; no query compares
// ids).
const mysqlUUIDColumn = "VARCHAR(36) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"

// SchemaInitializingQueries creates a topic's messages table as
// watermill-sql's MySQL adapter does, but with uuid of mysqlUUIDColumn. A
// table created before keeps its column; ALTER TABLE ... MODIFY `uuid`
// VARCHAR(36) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL converts
// it, keeping the ids it holds.
func (s mysqlSchema) SchemaInitializingQueries(p wsql.SchemaInitializingQueriesParams) ([]wsql.Query, error) {
	return []wsql.Query{{Query: strings.Join([]string{
		"CREATE TABLE IF NOT EXISTS " + s.MessagesTable(p.Topic) + " (",
		"`offset` BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,",
		"`uuid` " + mysqlUUIDColumn + " NOT NULL,",
		"`created_at` TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,",
		"`payload` " + s.PayloadColumnType(p.Topic) + " DEFAULT NULL,",
		"`metadata` JSON DEFAULT NULL",
		")",
	}, "\n")}}, nil
}
