package sqlstore

import (
	"cmp"
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/idempotency"
	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// MaxKeyLength is the longest consumer name or message id, in bytes, that the
// store accepts (the key columns are VARCHAR(191), the longest utf8mb4 column
// an older MySQL index takes): idempotency.MaxKeyLength, so every key
// idempotency.KeyOf builds fits.
const MaxKeyLength = idempotency.MaxKeyLength

// MaxHashLength is the longest payload hash, in characters, that the store
// keeps (the payload_hash column is VARCHAR(128); DefaultHash gives 64). A
// hash must be UTF-8 text without NUL, which every dialect stores.
const MaxHashLength = 128

// versionSuffix names the table recording the schema version: Table plus
// this suffix, in the same schema.
const versionSuffix = "_version"

// Config configures a Store.
type Config struct {
	// Dialect is the database kind. Required.
	Dialect sourceflow.Dialect
	// DSN is the connection string, used by Open only. For SQLite, Open adds
	// a busy timeout of 30 s and WAL unless the DSN sets them; for MySQL,
	// readTimeout=60s and writeTimeout=60s unless the DSN sets them (see the
	// package documentation).
	DSN string
	// Table is the table name, optionally schema-qualified ("idem.records").
	// Letters, digits and underscores only; the schema at most 63 bytes, the
	// table at most 55 (the schema version is recorded in Table+"_version").
	// On PostgreSQL an unqualified Table may not begin with "pg_", the
	// system catalog's names, searched first. Default
	// "sourceflow_idempotency".
	Table string
	// CleanupInterval is how often a background goroutine (stopped by
	// Close) deletes expired completed rows and in-progress rows whose lease
	// ended idempotency.LapsedLeaseRetention ago. Default 1 minute.
	CleanupInterval time.Duration
	// CleanupBatch bounds the rows one DELETE removes; a cleanup run repeats
	// until fewer rows are deleted. Default 1000.
	CleanupBatch int
	// MaxOpenConns bounds the connection pool of a database opened by Open
	// (New leaves the caller's pool alone). Default 16. On PostgreSQL and
	// MySQL, a quarter of those (at least one) stay open when unused, each
	// for at most 5 minutes, so an idle process holds few of the server's
	// connections; a SQLite pool keeps every unused connection open.
	MaxOpenConns int
	// ConnectTimeout bounds the connection check of Open (or ctx's deadline,
	// if earlier); a database that does not answer in time fails Open with
	// ErrUnreachable, one that refuses the DSN's user, password or database,
	// or (MySQL, MariaDB) its account or the connection, with
	// ErrInvalidConfig. It also bounds the check, in Open and New, of whether
	// the connection is encrypted. Default 10 s.
	ConnectTimeout time.Duration
	// SkipMigrations skips the schema migration in New and Open, for schemas
	// managed elsewhere (see Store.SchemaSQL).
	SkipMigrations bool
	// Logger receives cleanup failures, and the warning about a connection
	// that crosses a network in clear text or in TLS that does not verify
	// the server (see the package documentation).
	// Default: watermill.NopLogger, which drops every line but that
	// warning: while Logger is unset or watermill.NopLogger it goes to
	// slog.Default() at slog's Warn.
	Logger watermill.LoggerAdapter
}

func (c *Config) setDefaults() {
	c.Table = cmp.Or(c.Table, "sourceflow_idempotency")
	c.CleanupInterval = cmp.Or(c.CleanupInterval, time.Minute)
	c.CleanupBatch = cmp.Or(c.CleanupBatch, 1000)
	if c.Logger == nil {
		c.Logger = watermill.NopLogger{}
	}
}

// Validate reports every invalid field at once, each named as
// Config.<Field>, as ErrInvalidConfig, as Open and New do: an unknown
// Dialect (also sourceflow.ErrUnknownDialect), a Table that is not a plain
// identifier or, on PostgreSQL, begins with "pg_" unqualified (also
// ErrInvalidTable), a negative MaxOpenConns,
// ConnectTimeout, CleanupInterval or CleanupBatch. A zero field stands for
// its default, as in Open and New. It neither checks DSN, which only Open
// uses, nor connects.
func (c Config) Validate() error {
	c.setDefaults()
	return sqldb.InvalidConfig("sqlstore", c.problems())
}

// problems joins the problems Validate reports, without naming the package:
// Open and New report them with their own.
func (c Config) problems() error {
	errs := []error{c.dbConfig().ValidateSettings()}
	if !sqldb.ValidIdentifier(c.Table) || !sqldb.ValidIdentifier(c.versionTable()) {
		errs = append(errs, fmt.Errorf("Config.Table: %w: %q (a plain identifier, optionally schema-qualified; the table part at most %d bytes)",
			ErrInvalidTable, c.Table, 63-len(versionSuffix)))
	}
	if sqldb.ShadowedByCatalog(c.Dialect, c.Table) {
		errs = append(errs, fmt.Errorf("Config.Table: %w: %q: %s", ErrInvalidTable, c.Table, sqldb.CatalogShadowing))
	}
	return errors.Join(append(errs,
		fieldcheck.NotNegative("Config.CleanupInterval", c.CleanupInterval),
		fieldcheck.NotNegative("Config.CleanupBatch", c.CleanupBatch),
	)...)
}

// versionTable returns the table that records the schema version of Table:
// "name_version", or "schema.name_version" for a schema-qualified Table.
func (c Config) versionTable() string {
	return c.Table + versionSuffix
}

// dbConfig returns what sqldb.Open needs of c.
func (c Config) dbConfig() sqldb.Config {
	return sqldb.Config{
		Dialect:        c.Dialect,
		DSN:            c.DSN,
		MaxOpenConns:   c.MaxOpenConns,
		ConnectTimeout: c.ConnectTimeout,
	}
}
