package sqlstore

import (
	"cmp"
	"errors"
	"fmt"
	"time"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

// MaxKeyLength is the longest entity id, message id, kind or document id, in
// bytes, that the stores accept: the key columns are VARCHAR(191), the
// longest utf8mb4 column every MySQL index takes.
const MaxKeyLength = 191

// DefaultTablePrefix is the TablePrefix used when none is configured.
const DefaultTablePrefix = "sourceflow_"

// Config configures a Store.
type Config struct {
	// Dialect is the database kind. Required.
	Dialect sourceflow.Dialect
	// DSN is the connection string, used by Open only. For SQLite, Open adds
	// a busy timeout of 30 s, WAL and immediate transactions unless the DSN
	// sets them; for MySQL, readTimeout=60s and writeTimeout=60s unless the
	// DSN sets them (see the package documentation, MySQL timeouts).
	DSN string
	// TablePrefix starts the name of every table: <prefix>sequences,
	// <prefix>commands, <prefix>entities, <prefix>views and
	// <prefix>schema_version. Letters, digits and underscores, optionally
	// schema-qualified ("app.sf_"). On PostgreSQL an unqualified prefix
	// may not begin with "pg_": the system catalog's views (pg_views,
	// pg_sequences) would hide the store's tables. Default "sourceflow_".
	TablePrefix string
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
	// ErrInvalidConfig. Default 10 s.
	ConnectTimeout time.Duration
	// SkipMigrations skips the schema migration in Open and New, for schemas
	// managed elsewhere (see Store.SchemaSQL).
	SkipMigrations bool
}

func (c *Config) setDefaults() {
	c.TablePrefix = cmp.Or(c.TablePrefix, DefaultTablePrefix)
}

// Validate reports every invalid field at once, each named as
// Config.<Field>, as ErrInvalidConfig, as Open and New do: an unknown
// Dialect (also sourceflow.ErrUnknownDialect), a TablePrefix that cannot
// start a table name or, on PostgreSQL, that begins with "pg_"
// unqualified (also ErrInvalidTablePrefix), a negative MaxOpenConns
// or ConnectTimeout. It neither checks DSN, which only Open uses, nor
// connects.
func (c Config) Validate() error { return sqldb.InvalidConfig("sqlstore", c.problems()) }

// problems joins the problems Validate reports, without naming the package:
// Open and New report them with their own.
func (c Config) problems() error {
	errs := []error{c.dbConfig().ValidateSettings()}
	if !sqldb.ValidIdentifier(c.tables().version) {
		errs = append(errs, fmt.Errorf("Config.TablePrefix: %w: %q (letters, digits and underscores, optionally schema-qualified; "+
			"the table part at most %d bytes)", ErrInvalidTablePrefix, c.TablePrefix, 63-len(versionSuffix)))
	}
	if sqldb.ShadowedByCatalog(c.Dialect, c.tables().version) {
		errs = append(errs, fmt.Errorf("Config.TablePrefix: %w: %q: %s", ErrInvalidTablePrefix, c.TablePrefix, sqldb.CatalogShadowing))
	}
	return errors.Join(errs...)
}

// versionSuffix names the table recording the schema version; it is the
// longest table suffix, so a prefix valid with it is valid with every table.
const versionSuffix = "schema_version"

// tables are the names of the store's tables.
type tables struct {
	sequences, commands, entities, views, version string
}

func (c Config) tables() tables {
	p := c.TablePrefix
	return tables{
		sequences: p + "sequences",
		commands:  p + "commands",
		entities:  p + "entities",
		views:     p + "views",
		version:   p + versionSuffix,
	}
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
