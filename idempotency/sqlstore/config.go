package sqlstore

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ThreeDotsLabs/watermill"
)

// Dialect selects the SQL dialect and the database/sql driver.
type Dialect string

const (
	// Postgres is PostgreSQL through the pgx stdlib driver ("pgx").
	Postgres Dialect = "postgres"
	// MySQL is MySQL 8 or MariaDB 10.5+ through go-sql-driver/mysql ("mysql").
	MySQL Dialect = "mysql"
	// SQLite is SQLite through the CGO-free modernc.org/sqlite driver ("sqlite").
	SQLite Dialect = "sqlite"
)

// driverName returns the database/sql driver name of d.
func (d Dialect) driverName() string {
	switch d {
	case Postgres:
		return "pgx"
	case MySQL:
		return "mysql"
	case SQLite:
		return "sqlite"
	}
	return ""
}

// MaxKeyLength is the longest consumer name or message id, in bytes, that the
// store accepts (the key columns are VARCHAR(191), the longest utf8mb4 column
// an older MySQL index takes).
const MaxKeyLength = 191

// Config configures a Store.
type Config struct {
	// Dialect is the database kind. Required.
	Dialect Dialect
	// DSN is the connection string, used by Open only. For SQLite, Open adds
	// a busy timeout of 5 s unless the DSN sets one.
	DSN string
	// Table is the table name, optionally schema-qualified ("idem.records").
	// Letters, digits and underscores only. Default "sourceflow_idempotency".
	Table string
	// CleanupInterval is how often expired rows are deleted by a background
	// goroutine (stopped by Close). Default 1 minute.
	CleanupInterval time.Duration
	// CleanupBatch bounds the rows one DELETE removes; a cleanup run repeats
	// until fewer rows are deleted. Default 1000.
	CleanupBatch int
	// MaxOpenConns bounds the connection pool of a database opened by Open
	// (New leaves the caller's pool alone). Default 16.
	MaxOpenConns int
	// SkipSchema skips CREATE TABLE IF NOT EXISTS in New and Open, for
	// schemas managed by migrations (see Store.SchemaSQL).
	SkipSchema bool
	// Logger receives cleanup failures. Default: no-op.
	Logger watermill.LoggerAdapter
}

func (c *Config) setDefaults() {
	if c.Table == "" {
		c.Table = "sourceflow_idempotency"
	}
	if c.CleanupInterval == 0 {
		c.CleanupInterval = time.Minute
	}
	if c.CleanupBatch == 0 {
		c.CleanupBatch = 1000
	}
	if c.MaxOpenConns == 0 {
		c.MaxOpenConns = 16
	}
	if c.Logger == nil {
		c.Logger = watermill.NopLogger{}
	}
}

// Validate reports every invalid field.
func (c Config) Validate() error {
	var errs []error
	if c.Dialect.driverName() == "" {
		errs = append(errs, fmt.Errorf("Dialect: %w: %q", ErrUnknownDialect, c.Dialect))
	}
	if !validTable(c.Table) {
		errs = append(errs, fmt.Errorf("Table: %w: %q", ErrInvalidTable, c.Table))
	}
	if c.CleanupInterval < 0 {
		errs = append(errs, fmt.Errorf("CleanupInterval must be positive, got %s", c.CleanupInterval))
	}
	if c.CleanupBatch < 0 {
		errs = append(errs, fmt.Errorf("CleanupBatch must be positive, got %d", c.CleanupBatch))
	}
	if c.MaxOpenConns < 0 {
		errs = append(errs, fmt.Errorf("MaxOpenConns must be positive, got %d", c.MaxOpenConns))
	}
	return errors.Join(errs...)
}

// validTable accepts "name" or "schema.name", each part a letter or
// underscore followed by letters, digits or underscores, at most 63 bytes.
func validTable(table string) bool {
	parts := strings.Split(table, ".")
	if len(parts) > 2 {
		return false
	}
	for _, p := range parts {
		if p == "" || len(p) > 63 || (p[0] >= '0' && p[0] <= '9') {
			return false
		}
		for _, r := range p {
			ok := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
			if !ok {
				return false
			}
		}
	}
	return true
}
