package sqldb

import (
	"context"
	"database/sql"
)

// openedFromKey is the context key of the DSN a pool was opened with
// (WithOpenedFrom).
type openedFromKey struct{}

// openedFrom is the pool a DSN opened, as a context carries it.
type openedFrom struct {
	db  *sql.DB
	dsn string
}

// WithOpenedFrom returns ctx carrying dsn, the DSN db was opened with, for
// a check of db's connection that a component given db runs within ctx
// (CheckPlaintext, WarnPlaintext, PlaintextOnce): it reads the DSN as if
// given it, so that a driver other than pgx, whose connection does not say
// whether it verifies the server, is judged by the DSN's TLS settings. A
// package that opened db from a DSN and hands db to another component
// within one call passes it so (sqlbackend's Open, to the idempotency
// store on its pool). A check given a DSN, or of another pool, ignores it.
func WithOpenedFrom(ctx context.Context, db *sql.DB, dsn string) context.Context {
	return context.WithValue(ctx, openedFromKey{}, openedFrom{db: db, dsn: dsn})
}

// dsnOf returns dsn, or when it is "" the DSN ctx carries for db
// (WithOpenedFrom), or "".
func dsnOf(ctx context.Context, db *sql.DB, dsn string) string {
	if dsn != "" {
		return dsn
	}
	if o, ok := ctx.Value(openedFromKey{}).(openedFrom); ok && o.db == db {
		return o.dsn
	}
	return ""
}
