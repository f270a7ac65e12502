package sqldb

import (
	"database/sql"
	"time"
)

// ConnMaxIdleTime is how long a connection of a pool opened by Open stays
// open unused: an idle service process gives its connections back to the
// database within that time.
const ConnMaxIdleTime = 5 * time.Minute

// MaxIdleConns is how many unused connections a pool of maxOpen connections
// opened by Open keeps for the next burst: a quarter of maxOpen, at least
// one. Keeping all of them would hold the database's connections for
// processes that have nothing to do (16 per process exhaust PostgreSQL's
// default max_connections of 100 with 7 processes).
func MaxIdleConns(maxOpen int) int {
	return max(1, maxOpen/4)
}

// limitPool applies the pool settings of Open to db.
func limitPool(db *sql.DB, maxOpen int) {
	db.SetMaxOpenConns(maxOpen)
	db.SetMaxIdleConns(MaxIdleConns(maxOpen))
	db.SetConnMaxIdleTime(ConnMaxIdleTime)
}
