package sqldb

import (
	"context"
	"database/sql"
	"fmt"
)

// HasGroups reports whether topic has a consumer group: a row in its
// offsets table. One read, however long the topic; a topic without an
// offsets table has none.
func HasGroups(ctx context.Context, db *sql.DB, d Dialect, topic string) (bool, error) {
	offsets, err := offsetsTable(topic)
	if err != nil {
		return false, err
	}
	if exists, err := tableExists(ctx, db, d, offsets); err != nil || !exists {
		return false, err
	}
	// #nosec G202 -- the table is quoted and holds no quote or backtick (offsetsTable).
	groups, err := groupNames(ctx, db, "SELECT consumer_group FROM "+quoteTable(d, offsets)+" LIMIT 1")
	if err != nil {
		return false, fmt.Errorf("read the consumer groups of %s: %w", topic, err)
	}
	return len(groups) > 0, nil
}
