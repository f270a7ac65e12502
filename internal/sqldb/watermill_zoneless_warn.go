package sqldb

import (
	"context"
	"database/sql"
	"sync"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow/internal/slogdefault"
)

// WarnZoneless looks up, in one query bounded by DefaultConnectTimeout (or
// ctx's end if sooner), which of tables have a created_at without time
// zone (ZonelessTables), and logs ZonelessWarning of each, after
// component, through logger (slogdefault.Warn: at Info on a logger
// without a Warn method, at slog's Warn on slog.Default() for a nil or
// no-op one). It never alters a table, nor fails its caller:
// an error of the lookup is logged at debug level, and returned for a
// caller that would look again later. On MySQL it queries nothing.
func WarnZoneless(ctx context.Context, db *sql.DB, d Dialect, logger watermill.LoggerAdapter, component string, tables ...string) error {
	if d == MySQL || len(tables) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, DefaultConnectTimeout)
	defer cancel()
	zoneless, err := ZonelessTables(ctx, db, d, tables...)
	if err != nil {
		logger.Debug(component+": could not check whether created_at holds a time zone",
			watermill.LogFields{"err": err.Error()})
		return err
	}
	for _, table := range zoneless {
		slogdefault.Warn(logger, component+": "+ZonelessWarning(table), watermill.LogFields{"table": table})
	}
	return nil
}

// ZonelessOnce is WarnZoneless for a component that reaches its tables one
// at a time (a transport creating a topic's table on first use): each
// table is looked up once, and looked up again only when its lookup
// failed. The zero value is ready; a nil one checks nothing.
type ZonelessOnce struct {
	mu      sync.Mutex
	claimed map[string]bool
}

// Warn runs WarnZoneless on those of tables not looked up before.
func (o *ZonelessOnce) Warn(ctx context.Context, db *sql.DB, d Dialect, logger watermill.LoggerAdapter, component string, tables ...string) {
	if o == nil || d == MySQL {
		return
	}
	fresh := o.claim(tables)
	if err := WarnZoneless(ctx, db, d, logger, component, fresh...); err != nil {
		o.release(fresh)
	}
}

// claim returns those of tables not claimed before, now claimed.
func (o *ZonelessOnce) claim(tables []string) []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.claimed == nil {
		o.claimed = map[string]bool{}
	}
	var fresh []string
	for _, table := range tables {
		if !o.claimed[table] {
			o.claimed[table] = true
			fresh = append(fresh, table)
		}
	}
	return fresh
}

// release lets tables be looked up again.
func (o *ZonelessOnce) release(tables []string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, table := range tables {
		delete(o.claimed, table)
	}
}
