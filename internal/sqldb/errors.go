package sqldb

import "errors"

// The sentinels' texts, like every error of this package, name no package:
// the public packages re-export them (sqlstore.ErrUnreachable) and put their
// own name before them ("sqlstore: database unreachable: …").
var (
	// ErrUnreachable wraps a failed connection check at open: the database
	// did not answer within the connect timeout or could not take the
	// connection (too many connections, starting up); a retry may pass. A
	// server that answered and refused the account or the connection is
	// ErrInvalidConfig instead.
	ErrUnreachable = errors.New("database unreachable")
	// ErrSchemaTooNew is returned when the database records a schema version
	// newer than the code knows: an older binary must not write to a schema
	// that a newer one migrated.
	ErrSchemaTooNew = errors.New("database schema is newer than this program")
	// ErrInvalidConfig wraps a configuration no database can be used with:
	// an invalid field, a DSN the dialect's driver cannot read, or a *sql.DB
	// whose driver is another dialect's, found before any connection is
	// tried; or, at open, a server's refusal of the DSN's user, password or
	// database, or of its account or connection (a host the user may not
	// connect from, a host the server blocked after too many connection
	// errors, a connection without TLS where the server requires it, an
	// expired password, a locked account), named with what to change. No
	// retry helps.
	ErrInvalidConfig = errors.New("invalid configuration")
	// ErrSecondPool is returned by a store called in a transaction begun on
	// another *sql.DB opened with the same DSN (see SourceOf): joining it is
	// impossible, and writing through the store's own pool would commit
	// apart from it. It is wrapped in sourceflow.Permanent.
	ErrSecondPool = errors.New("the context's transaction was begun on another *sql.DB opened on the same database, " +
		"which this store cannot join: open every store on one *sql.DB (pass one store's DB() to the others' New)")
)
