package sqlstore

import (
	"errors"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
)

var (
	// ErrInvalidTable is reported by Config.Validate for a table name that is
	// not a plain (optionally schema-qualified) SQL identifier. Table names
	// are spliced into statements, so anything else is refused.
	ErrInvalidTable = errors.New("sqlstore: invalid table name")
	// ErrUnreachable is returned by Open when the database refuses the
	// connection or does not answer within Config.ConnectTimeout; the error
	// names the dialect and the address.
	ErrUnreachable = sqldb.ErrUnreachable
	// ErrSchemaTooNew is returned by Open, New and CreateSchema when the
	// database records a schema version newer than this program knows: a
	// newer release migrated the table, and an older one must not write to it.
	ErrSchemaTooNew = sqldb.ErrSchemaTooNew
)
