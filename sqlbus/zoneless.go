package sqlbus

import (
	"context"
	"database/sql"
	"strings"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// zonelessCheck warns, through a transport's logger, of each PostgreSQL
// table of its topics that an earlier release created with a created_at
// without time zone (sqldb.ZonelessWarning: what reads wrong and the
// statement that converts it), once per table: it looks a table up when a
// subscription has started on it and when a publish created it, never on
// later publishes. It never alters a table. A nil check looks up nothing.
type zonelessCheck struct {
	once    sqldb.ZonelessOnce
	db      *sql.DB
	dialect sourceflow.Dialect
	logger  watermill.LoggerAdapter
}

// newZonelessCheck is the check of cfg's database, which logs on cfg's
// Logger.
func newZonelessCheck(cfg Config) *zonelessCheck {
	return &zonelessCheck{db: cfg.DB, dialect: cfg.Dialect, logger: cfg.Logger}
}

// created looks up the table of topic, just created (or found) by a
// publish, within ctx.
func (c *zonelessCheck) created(ctx context.Context, topic string) {
	if c == nil {
		return
	}
	c.once.Warn(ctx, c.db, c.dialect, c.logger, "sqlbus", "watermill_"+topic)
}

// subscribed looks up, in one query within ctx, the table of topic, on
// which a subscription started, and that of its dead letters, which
// sql dead-letters and sql redrive read the times of.
func (c *zonelessCheck) subscribed(ctx context.Context, topic string) {
	if c == nil {
		return
	}
	tables := []string{"watermill_" + topic}
	if !strings.HasSuffix(topic, deadLetterSuffix) {
		tables = append(tables, "watermill_"+topic+deadLetterSuffix)
	}
	c.once.Warn(ctx, c.db, c.dialect, c.logger, "sqlbus", tables...)
}
