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
	// ErrUnreachable is returned by Open when the database does not answer
	// within Config.ConnectTimeout or cannot take the connection (too many
	// connections, starting up): an outage a retry may outlast. The error
	// names the dialect and the address.
	ErrUnreachable = sqldb.ErrUnreachable
	// ErrInvalidConfig is returned by Open and New, before any connection
	// is tried, for a Config they refuse: an invalid field, a DSN the
	// dialect's driver cannot read (the error never shows the DSN), or a
	// *sql.DB given to New whose driver is another dialect's than
	// Config.Dialect (pgx's, go-sql-driver/mysql's or modernc.org/sqlite's;
	// a database opened with another driver is taken as it is). Open also
	// returns it, with the server's reason, when the database answered and
	// refused the DSN's user, password or database (PostgreSQL SQLSTATE
	// class 28, 3D000 or 42501; MySQL 1044, 1045, 1049 or 1698), or, on
	// MySQL and MariaDB, the DSN's account or the connection, naming what
	// to change: a host the user may not connect from (1130) or one the
	// server blocked after too many connection errors (1129), a connection
	// without TLS where the server requires it (3159), an expired password
	// (1862), a locked account (MySQL 3118, MariaDB 4151). No retry helps:
	// unlike ErrUnreachable, it is not transient.
	ErrInvalidConfig = sqldb.ErrInvalidConfig
	// ErrSchemaTooNew is returned by Open, New and CreateSchema when the
	// database records a schema version newer than this program knows: a
	// newer release migrated the table, and an older one must not write to it.
	ErrSchemaTooNew = sqldb.ErrSchemaTooNew
	// ErrSecondPool is returned by a store method called, or WithinTx
	// begun, with a context carrying a transaction begun on another *sql.DB
	// opened with a DSN naming the same database (server, port and database,
	// on PostgreSQL also user, search_path and options; for SQLite the file): the idempotency store's in the middleware's
	// transactional mode, say. The store can neither join that transaction
	// nor write beside it without losing the atomicity the transaction is
	// for, so it writes nothing. Open the stores on one *sql.DB: the store
	// that begins the transaction's DB(), given to the other stores' New.
	// Only pools that Open opened are compared (a *sql.DB given to New has
	// no DSN, and a transaction on it is ignored by a store on another, as
	// is one on another database). It is sourceflow.Permanent: no retry
	// helps, so the message is dead-lettered with it, not acknowledged.
	ErrSecondPool = sqldb.ErrSecondPool
)
