package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// GroupBacklog is a consumer group of a topic and how many of the topic's
// rows it has yet to read (see Backlog).
type GroupBacklog struct {
	Group string
	Ahead int64
}

// Groups returns every consumer group with a position in topic's offsets
// table, by name, each with its backlog. A topic without an offsets table
// (never subscribed to) has none.
func Groups(ctx context.Context, db *sql.DB, d Dialect, topic string) ([]GroupBacklog, error) {
	offsets, err := offsetsTable(topic)
	if err != nil {
		return nil, err
	}
	if exists, err := tableExists(ctx, db, d, offsets); err != nil || !exists {
		return nil, err
	}
	// #nosec G202 -- the table is quoted and holds no quote or backtick (offsetsTable).
	groups, err := groupNames(ctx, db, "SELECT consumer_group FROM "+quoteTable(d, offsets)+" ORDER BY consumer_group")
	if err != nil {
		return nil, fmt.Errorf("read the consumer groups of %s: %w", topic, err)
	}
	out := make([]GroupBacklog, 0, len(groups))
	for _, g := range groups {
		n, err := Backlog(ctx, db, d, topic, g)
		if err != nil {
			return nil, err
		}
		out = append(out, GroupBacklog{Group: g, Ahead: n})
	}
	return out, nil
}

// ForgetGroup deletes group's position from topic's offsets table and
// reports whether it had one. The group no longer holds back pruning; if
// it reads the topic again, it starts at the first row kept.
func ForgetGroup(ctx context.Context, db *sql.DB, d Dialect, topic, group string) (bool, error) {
	offsets, err := offsetsTable(topic)
	if err != nil {
		return false, err
	}
	if exists, err := tableExists(ctx, db, d, offsets); err != nil || !exists {
		return false, err
	}
	// #nosec G202 -- the table is quoted and holds no quote or backtick (offsetsTable).
	q := "DELETE FROM " + quoteTable(d, offsets) + " WHERE consumer_group = $1"
	if d == MySQL {
		q = "DELETE FROM " + quoteTable(d, offsets) + " WHERE consumer_group = ?" // #nosec G202 -- as above
	}
	n, err := RowsAffected(db.ExecContext(ctx, q, group))
	if err != nil {
		return false, fmt.Errorf("forget group %q of %s: %w", group, topic, err)
	}
	return n > 0, nil
}

// FindGroup returns the consumer group of topic's offsets table that
// ForgetGroup(group) deletes, and whether there is one. The database
// compares the names as it does for ForgetGroup: byte for byte, but on
// MySQL in an offsets table created before its consumer_group column was
// VARBINARY, by the column's collation, by default regardless of letter
// case (and, on MariaDB, trailing spaces), so the group found may be
// spelled otherwise than group.
func FindGroup(ctx context.Context, db *sql.DB, d Dialect, topic, group string) (string, bool, error) {
	offsets, err := offsetsTable(topic)
	if err != nil {
		return "", false, err
	}
	if exists, err := tableExists(ctx, db, d, offsets); err != nil || !exists {
		return "", false, err
	}
	// #nosec G202 -- the table is quoted and holds no quote or backtick (offsetsTable).
	q := "SELECT consumer_group FROM " + quoteTable(d, offsets) + " WHERE consumer_group = $1"
	if d == MySQL {
		q = "SELECT consumer_group FROM " + quoteTable(d, offsets) + " WHERE consumer_group = ?" // #nosec G202 -- as above
	}
	var found string
	err = db.QueryRowContext(ctx, q, group).Scan(&found)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("find group %q of %s: %w", group, topic, err)
	}
	return found, true, nil
}

// offsetsTable is the name of topic's offsets table, refused when topic
// holds a quote, backtick or NUL.
func offsetsTable(topic string) (string, error) {
	if err := checkTableName(topic); err != nil {
		return "", fmt.Errorf("topic %q: %w", topic, err)
	}
	return "watermill_offsets_" + topic, nil
}

// quoteTable quotes table, which holds no quote or backtick
// (checkTableName), for d.
func quoteTable(d Dialect, table string) string {
	if d == MySQL {
		return "`" + table + "`"
	}
	return `"` + table + `"`
}

// groupNames runs q, which selects one column of names, and returns them.
func groupNames(ctx context.Context, db *sql.DB, q string) ([]string, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}
