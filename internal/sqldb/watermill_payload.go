package sqldb

import (
	"context"
	"database/sql"
	"fmt"
)

// WatermillBinaryPayload reports whether the messages table of topic,
// watermill_<topic>, has a binary payload column: sqlbus creates its
// tables so (BYTEA on PostgreSQL, LONGBLOB on MySQL), the outbox with
// watermill-sql's default JSON (LONGTEXT on MariaDB). It tells a table
// apart by how it was created, whatever rows or consumer groups it has. A
// table that does not exist has none. The lookup needs no privilege on the
// table on PostgreSQL (pg_attribute), and any one on MySQL
// (information_schema lists only the columns the role may use). A topic
// holding a quote, backtick or NUL is refused.
func WatermillBinaryPayload(ctx context.Context, db *sql.DB, d Dialect, topic string) (bool, error) {
	table := "watermill_" + topic
	if err := checkTableName(table); err != nil {
		return false, fmt.Errorf("look up %q: %w", table, err)
	}
	var n int
	var err error
	if d == MySQL {
		err = db.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.columns "+
			"WHERE table_schema = DATABASE() AND table_name = ? AND column_name = 'payload' "+
			"AND data_type IN ('binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob')", table).Scan(&n)
	} else {
		err = db.QueryRowContext(ctx, "SELECT COUNT(*) FROM pg_catalog.pg_attribute "+
			"WHERE attrelid = to_regclass($1) AND attname = 'payload' AND NOT attisdropped "+
			"AND atttypid = 'bytea'::regtype", `"`+table+`"`).Scan(&n)
	}
	if err != nil {
		return false, fmt.Errorf("look up the payload column of %s: %w", table, err)
	}
	return n > 0, nil
}
