package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/go-sql-driver/mysql"
)

// WatermillBinaryPayload reports whether the messages table of topic,
// watermill_<topic>, has a binary payload column: sqlbus creates its
// tables so (BYTEA on PostgreSQL, LONGBLOB on MySQL), the outbox with
// watermill-sql's default JSON (LONGTEXT on MariaDB). It tells a table
// apart by how it was created, whatever rows or consumer groups it has. A
// table that does not exist has none.
//
// The table is the one an unqualified name reaches, as the queries of the
// sql commands reach it: on PostgreSQL the first of the search_path, read
// from pg_attribute (no privilege on the table needed). On MySQL the lookup
// asks the table itself for its payload column (SELECT, reading no row):
// information_schema hides the columns of a table on which the role has no
// privilege, which would look like a table without a binary column, so a
// table the role cannot read fails the lookup instead. A topic holding a
// quote, backtick or NUL is refused.
func WatermillBinaryPayload(ctx context.Context, db *sql.DB, d Dialect, topic string) (bool, error) {
	table := "watermill_" + topic
	if err := checkTableName(table); err != nil {
		return false, fmt.Errorf("look up %q: %w", table, err)
	}
	var binary bool
	var err error
	if d == MySQL {
		binary, err = mysqlBinaryPayload(ctx, db, table)
	} else {
		var n int
		err = db.QueryRowContext(ctx, "SELECT COUNT(*) FROM pg_catalog.pg_attribute "+
			"WHERE attrelid = to_regclass($1) AND attname = 'payload' AND NOT attisdropped "+
			"AND atttypid = 'bytea'::regtype", `"`+table+`"`).Scan(&n)
		binary = n > 0
	}
	if err != nil {
		return false, fmt.Errorf("look up the payload column of %s: %w", table, err)
	}
	return binary, nil
}

// mysqlBinaryPayload reports whether table's payload column is binary, by
// the type MySQL gives it in an answer of no row; false when table does not
// exist.
func mysqlBinaryPayload(ctx context.Context, db *sql.DB, table string) (bool, error) {
	// #nosec G202 -- table holds no quote, backtick or NUL (checkTableName).
	rows, err := db.QueryContext(ctx, "SELECT `payload` FROM `"+table+"` LIMIT 0")
	if me, ok := errors.AsType[*mysql.MySQLError](err); ok && me.Number == mysqlNoSuchTable {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer func() { _ = rows.Close() }()
	types, err := rows.ColumnTypes()
	if err != nil {
		return false, err
	}
	name := types[0].DatabaseTypeName()
	return strings.Contains(name, "BLOB") || strings.Contains(name, "BINARY"), rows.Err()
}
