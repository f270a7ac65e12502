package sqldb

import (
	"context"
	"database/sql"
)

// TableExists reports whether table, a fixed name of letters, digits and
// underscores, exists in the current schema (PostgreSQL: on the search
// path).
func TableExists(ctx context.Context, db *sql.DB, d Dialect, table string) (bool, error) {
	return tableExists(ctx, db, d, table)
}
