package sqlstore

import "errors"

var (
	// ErrUnknownDialect is reported by Config.Validate for a Dialect other
	// than Postgres, MySQL and SQLite.
	ErrUnknownDialect = errors.New("sqlstore: unknown dialect")
	// ErrInvalidTable is reported by Config.Validate for a table name that is
	// not a plain (optionally schema-qualified) SQL identifier. Table names
	// are spliced into statements, so anything else is refused.
	ErrInvalidTable = errors.New("sqlstore: invalid table name")
)
