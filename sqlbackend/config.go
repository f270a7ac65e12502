package sqlbackend

import (
	"cmp"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
	idemsql "github.com/sourceflow-go/sourceflow/idempotency/sqlstore"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// ErrInvalidConfig is returned by Open and Validate for a configuration
// that cannot work; it is the SQL stores' own sqlstore.ErrInvalidConfig.
var ErrInvalidConfig = sqlstore.ErrInvalidConfig

// Config configures a Backend.
type Config struct {
	// Dialect is the database kind. Required.
	Dialect sourceflow.Dialect
	// DSN is the connection string Open opens one pool from, which the
	// Backend closes. Set DSN or DB, not both.
	DSN string
	// DB is a pool the caller opened and closes, after the Backend's
	// Close. Set DSN or DB, not both.
	DB *sql.DB
	// TablePrefix starts the name of every table: the SQL stores' (see
	// sqlstore.Config.TablePrefix) and <prefix>idempotency. Default
	// sqlstore.DefaultTablePrefix ("sourceflow_").
	TablePrefix string
	// MaxOpenConns bounds the pool Open opens from DSN. Default 16.
	MaxOpenConns int
	// ConnectTimeout bounds Open's connection check of DSN. Default 10 s.
	ConnectTimeout time.Duration
	// Outbox puts an outbox.Transport on the database (PostgreSQL or
	// MySQL) in front of the transport of each service Configure configures, so that the events a
	// saga raises commit with its state and go out after the commit. Off
	// by default: a saga's events are then published just before its
	// transaction commits.
	Outbox bool
	// Logger logs the idempotency store and the outboxes. Default: theirs
	// (the idempotency store's discards all but its warning of the
	// connection, which goes to slog.Default() at slog's Warn; the
	// outbox's logs through slog.Default(), its Info lines at slog's
	// Debug).
	Logger watermill.LoggerAdapter
}

func (c *Config) setDefaults() {
	c.TablePrefix = cmp.Or(c.TablePrefix, sqlstore.DefaultTablePrefix)
}

// Validate reports every invalid field at once, as ErrInvalidConfig: DSN
// and DB both set or both unset, Outbox on SQLite (the outbox runs on
// PostgreSQL and MySQL), and what the SQL store and the idempotency store
// refuse of the rest. It does not connect.
func (c Config) Validate() error {
	c.setDefaults()
	var errs []error
	switch {
	case c.DSN == "" && c.DB == nil:
		errs = append(errs, errors.New("Config.DSN or Config.DB is required"))
	case c.DSN != "" && c.DB != nil:
		errs = append(errs, errors.New("Config.DSN and Config.DB are both set: set one"))
	}
	// The idempotency store's table is checked once the stores' settings,
	// which it shares, are valid, so that a problem is reported once.
	if err := c.storeConfig().Validate(); err != nil {
		errs = append(errs, err)
	} else {
		errs = append(errs, c.idempotencyConfig().Validate())
	}
	if c.Outbox && c.Dialect == sourceflow.SQLite {
		errs = append(errs, fmt.Errorf("Config.Outbox: %w: the outbox runs on PostgreSQL and MySQL, not SQLite", outbox.ErrUnsupportedDialect))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlbackend: %w: %w", ErrInvalidConfig, err)
	}
	return nil
}

// storeConfig is the configuration of the command, entity and view stores.
func (c Config) storeConfig() sqlstore.Config {
	return sqlstore.Config{
		Dialect: c.Dialect, DSN: c.DSN, TablePrefix: c.TablePrefix,
		MaxOpenConns: c.MaxOpenConns, ConnectTimeout: c.ConnectTimeout,
	}
}

// checkTimeout bounds Check: ConnectTimeout, or its default.
func (c Config) checkTimeout() time.Duration {
	return cmp.Or(c.ConnectTimeout, sqldb.DefaultConnectTimeout)
}

// idempotencyConfig is the configuration of the idempotency store, on the
// stores' pool.
func (c Config) idempotencyConfig() idemsql.Config {
	return idemsql.Config{Dialect: c.Dialect, Table: c.TablePrefix + "idempotency", Logger: c.Logger}
}
