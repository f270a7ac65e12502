package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// DatabaseNow returns the database's time, in whole seconds since the
// epoch as writtenColumns reads it, so that a time counted back from it
// (a --before 2h) compares with a row's Written.At by one clock: the
// database's, whatever the clock or the time zone of the machine that
// reads.
func DatabaseNow(ctx context.Context, db *sql.DB, d Dialect) (time.Time, error) {
	var now int64
	if err := db.QueryRowContext(ctx, "SELECT "+nowColumn(d)).Scan(&now); err != nil {
		return time.Time{}, fmt.Errorf("read the database's time: %w", err)
	}
	return time.Unix(now, 0).UTC(), nil
}
