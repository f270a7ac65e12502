package sqlstore

import (
	"errors"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

var (
	// ErrInvalidTable is reported by Config.Validate for a table name that is
	// not a plain (optionally schema-qualified) SQL identifier. Table names
	// are spliced into statements, so anything else is refused.
	ErrInvalidTable = errors.New("invalid table name")
	// ErrUnreachable is returned by Open when the database refuses the
	// connection or does not answer within Config.ConnectTimeout; the error
	// names the dialect and the address.
	ErrUnreachable = sqldb.ErrUnreachable
	// ErrInvalidConfig is returned by Open and New, before any connection
	// is tried, for a Config they refuse: an invalid field, a DSN the
	// dialect's driver cannot read (the error never shows the DSN), or a
	// *sql.DB given to New whose driver is another dialect's than
	// Config.Dialect (pgx's, go-sql-driver/mysql's or modernc.org/sqlite's;
	// a database opened with another driver is taken as it is). No retry
	// helps: unlike ErrUnreachable, it is not transient.
	ErrInvalidConfig = sqldb.ErrInvalidConfig
	// ErrSchemaTooNew is returned by Open, New and CreateSchema when the
	// database records a schema version newer than this program knows: a
	// newer release migrated the table, and an older one must not write to it.
	ErrSchemaTooNew = sqldb.ErrSchemaTooNew
)
