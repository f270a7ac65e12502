package sqldb

import (
	"database/sql"
	"fmt"
)

// mysqlMigrateConns is how many connections a migration, or a read of the
// version, takes at once on MySQL: goose holds one for its statements while
// its lock table (lock.NewMySQLTableLocker) takes another from the pool.
const mysqlMigrateConns = 2

// checkMigratePool returns ErrInvalidConfig, naming MaxOpenConns, when d is
// MySQL and db's pool is capped (db.SetMaxOpenConns) below the connections
// a migration takes at once: goose would wait for good (until ctx ends)
// for a connection it holds itself.
func checkMigratePool(db *sql.DB, d Dialect, table string) error {
	limit := db.Stats().MaxOpenConnections
	if d != MySQL || limit == 0 || limit >= mysqlMigrateConns {
		return nil
	}
	return fmt.Errorf("%w: migrating %s on MySQL takes %d connections at once (one for the migration, one for "+
		"its lock table), but the pool allows %d (MaxOpenConns): raise it with DB.SetMaxOpenConns(%d) or more, "+
		"or migrate through a pool of its own", ErrInvalidConfig, table, mysqlMigrateConns, limit, mysqlMigrateConns)
}
