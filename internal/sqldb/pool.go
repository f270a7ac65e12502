package sqldb

import (
	"database/sql"
	"time"
)

// ConnMaxIdleTime is how long a connection of a PostgreSQL or MySQL pool
// opened by Open stays open unused: an idle service process gives its
// connections back to the database server within that time.
const ConnMaxIdleTime = 5 * time.Minute

// MaxIdleConns is how many unused connections a PostgreSQL or MySQL pool of
// maxOpen connections opened by Open keeps for the next burst: a quarter of
// maxOpen, at least one. Keeping all of them would hold the server's
// connections for processes that have nothing to do (16 per process
// exhaust PostgreSQL's default max_connections of 100 with 7 processes).
func MaxIdleConns(maxOpen int) int {
	return max(1, maxOpen/4)
}

// limitPool applies the pool settings of Open to db, a database of dialect
// d. A SQLite pool keeps every idle connection for as long as it is open:
// its connections hold no server's resources, and SQLite deletes a
// shared-cache in-memory database (mode=memory&cache=shared) when its last
// connection closes, so closing idle ones would lose its tables and rows.
func limitPool(db *sql.DB, d Dialect, maxOpen int) {
	db.SetMaxOpenConns(maxOpen)
	if d == SQLite {
		db.SetMaxIdleConns(maxOpen)
		return
	}
	db.SetMaxIdleConns(MaxIdleConns(maxOpen))
	db.SetConnMaxIdleTime(ConnMaxIdleTime)
}
