package sqldb

import "errors"

var (
	// ErrUnreachable wraps a failed connection check at open: the database
	// did not answer within the connect timeout or refused the connection.
	ErrUnreachable = errors.New("sqldb: database unreachable")
	// ErrSchemaTooNew is returned when the database records a schema version
	// newer than the code knows: an older binary must not write to a schema
	// that a newer one migrated.
	ErrSchemaTooNew = errors.New("sqldb: database schema is newer than this program")
	// ErrInvalidConfig wraps a configuration no database can be used with:
	// an invalid field, a DSN the dialect's driver cannot read, or a *sql.DB
	// whose driver is another dialect's. It is found before any connection
	// is tried, and no retry helps.
	ErrInvalidConfig = errors.New("sqldb: invalid configuration")
)
