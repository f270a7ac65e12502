package sqlbus

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"sync"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// FilterTable is the table of the event type filters of every consumer
// group (see the package documentation): one row per topic, consumer group
// and event type some version of the group's service handles on the topic.
// The transport creates it at the first Start of a service, or at the
// first read of a filter.
const FilterTable = "sqlbus_event_filters"

// typeFilter is the cqrs.TypeFilterStore of the transport, in FilterTable.
type typeFilter struct {
	db      *sql.DB
	dialect sourceflow.Dialect

	mu      sync.Mutex
	created bool
}

// filterDDL returns the statement creating FilterTable on d. MySQL compares
// its binary columns byte for byte, as the consumer groups and types are;
// consumer_group holds any group the offsets tables hold (checkGroup).
func filterDDL(d sourceflow.Dialect) string {
	if d == sourceflow.MySQL {
		return "CREATE TABLE IF NOT EXISTS " + FilterTable + " (topic VARBINARY(255) NOT NULL, consumer_group VARBINARY(" +
			strconv.Itoa(maxMySQLGroupBytes) + ") NOT NULL, event_type VARBINARY(1024) NOT NULL, PRIMARY KEY (topic, consumer_group, event_type))"
	}
	return "CREATE TABLE IF NOT EXISTS " + FilterTable + " (topic TEXT NOT NULL, consumer_group TEXT NOT NULL, " +
		"event_type TEXT NOT NULL, PRIMARY KEY (topic, consumer_group, event_type))"
}

// create creates FilterTable once, unless a lookup finds it: PostgreSQL
// refuses CREATE TABLE IF NOT EXISTS of an existing table to a role
// without CREATE on the schema. Two processes creating it at once may see
// PostgreSQL refuse the second one: it is run again once.
func (f *typeFilter) create(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.created {
		return nil
	}
	if exists, err := f.exists(ctx); err == nil && exists {
		f.created = true
		return nil
	}
	if _, err := f.db.ExecContext(ctx, filterDDL(f.dialect)); err != nil {
		if _, again := f.db.ExecContext(ctx, filterDDL(f.dialect)); again != nil {
			return fmt.Errorf("create table %s: %w", FilterTable, err)
		}
	}
	f.created = true
	return nil
}

// Widen adds types to the filter of group on topic, keeping those it holds.
func (f *typeFilter) Widen(ctx context.Context, topic, group string, types []string) error {
	if err := f.create(ctx); err != nil {
		return err
	}
	q := "INSERT INTO " + FilterTable + " (topic, consumer_group, event_type) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
	if f.dialect == sourceflow.MySQL {
		q = "INSERT INTO " + FilterTable + " (topic, consumer_group, event_type) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE event_type = event_type"
	}
	q = sqldb.Rebind(f.dialect, q)
	for _, typ := range types {
		if _, err := f.db.ExecContext(ctx, q, topic, group, typ); err != nil {
			return fmt.Errorf("add event type %s: %w", sourceflow.IDText(typ), err)
		}
	}
	return nil
}

// Types returns the filter of group on topic.
func (f *typeFilter) Types(ctx context.Context, topic, group string) ([]string, error) {
	if err := f.create(ctx); err != nil {
		return nil, err
	}
	return f.read(ctx, topic, group)
}

// exists reports whether FilterTable exists, for the operator's reads and
// removals, which create no table.
func (f *typeFilter) exists(ctx context.Context) (bool, error) {
	return sqldb.TableExists(ctx, f.db, f.dialect, FilterTable)
}

// read returns the filter of group on topic from FilterTable.
func (f *typeFilter) read(ctx context.Context, topic, group string) ([]string, error) {
	rows, err := f.db.QueryContext(ctx, sqldb.Rebind(f.dialect,
		"SELECT event_type FROM "+FilterTable+" WHERE topic = ? AND consumer_group = ? ORDER BY event_type"), topic, group)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", FilterTable, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var typ string
		if err := rows.Scan(&typ); err != nil {
			return nil, fmt.Errorf("read %s: %w", FilterTable, err)
		}
		out = append(out, typ)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", FilterTable, err)
	}
	return out, nil
}

// remove deletes types from the filter of group on topic and returns how
// many it held.
func (f *typeFilter) remove(ctx context.Context, topic, group string, types []string) (int64, error) {
	q := sqldb.Rebind(f.dialect, "DELETE FROM "+FilterTable+" WHERE topic = ? AND consumer_group = ? AND event_type = ?")
	var n int64
	for _, typ := range types {
		res, err := f.db.ExecContext(ctx, q, topic, group, typ)
		if err != nil {
			return n, fmt.Errorf("remove event type %s: %w", sourceflow.IDText(typ), err)
		}
		if k, err := res.RowsAffected(); err == nil {
			n += k
		}
	}
	return n, nil
}

var _ cqrs.TypeFilterStore = (*typeFilter)(nil)
