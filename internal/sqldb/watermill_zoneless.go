package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// CreatedAtAlter converts the created_at of the PostgreSQL messages table
// of a topic, created by an earlier release as a TIMESTAMP without time
// zone (see pgZonelessCreatedAt), into a TIMESTAMPTZ. Run in a session of
// the writers' time zone, the rows written before are read right too. The
// README, the CHANGELOG and sourceflow sql's help give this statement;
// ZonelessAlter names a table in it.
const CreatedAtAlter = `ALTER TABLE "watermill_<topic>" ALTER COLUMN "created_at" TYPE timestamptz`

// createdAtAlterTable is the table CreatedAtAlter names.
const createdAtAlterTable = "watermill_<topic>"

// ZonelessAlter is CreatedAtAlter for table (unquoted).
func ZonelessAlter(table string) string {
	return strings.Replace(CreatedAtAlter, createdAtAlterTable, table, 1)
}

// ZonelessWarning says that table's created_at holds no time zone, what
// reads wrong because of it, and the statement that converts it.
func ZonelessWarning(table string) string {
	return fmt.Sprintf("table %s was created by an earlier release: its created_at is a TIMESTAMP without time zone, "+
		"so the times read from it (a backlog's age, sql depth's OLDEST AHEAD, sql dead-letters' AGE, "+
		"sql redrive --before/--after) are off by the difference between the session time zones of its writers "+
		"and its readers; convert it once, in a session of the writers' time zone (it is never altered for you): %s",
		table, ZonelessAlter(table))
}

// zonelessQuery selects, of the tables named in $1 (a JSON array of quoted
// names, each resolved as a statement resolves it: on the search path),
// those whose created_at is a TIMESTAMP without time zone.
const zonelessQuery = `SELECT c.relname::text FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid ` +
	`WHERE a.attrelid IN (SELECT to_regclass(n) FROM json_array_elements_text($1::json) AS n) AND a.attname = 'created_at' ` +
	`AND NOT a.attisdropped AND a.atttypid = 'timestamp'::regtype`

// ZonelessTables returns those of tables (unquoted names of messages
// tables) whose created_at is a TIMESTAMP without time zone, sorted, in one
// query; a table that does not exist is not among them. On MySQL, whose
// TIMESTAMP holds the instant, it returns none and queries nothing. A
// table name holding a quote, backtick or NUL is refused.
func ZonelessTables(ctx context.Context, db *sql.DB, d Dialect, tables ...string) ([]string, error) {
	if d == MySQL || len(tables) == 0 {
		return nil, nil
	}
	quoted := make([]string, len(tables))
	for i, table := range tables {
		if err := checkTableName(table); err != nil {
			return nil, fmt.Errorf("look up %q: %w", table, err)
		}
		quoted[i] = `"` + table + `"`
	}
	names, _ := json.Marshal(quoted) // a []string always marshals
	rows, err := db.QueryContext(ctx, zonelessQuery, string(names))
	if err != nil {
		return nil, fmt.Errorf("read the type of created_at: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("read the type of created_at: %w", err)
		}
		out = append(out, name)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the type of created_at: %w", err)
	}
	slices.Sort(out)
	return out, nil
}
