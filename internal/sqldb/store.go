package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// OpenStore opens the database cfg names for a store that owns it and hands
// it to build, closing it again when build fails. invalid holds the store's
// own Config errors, reported with the DSN's (empty, or unreadable by the
// dialect's driver) before anything is opened, as one InvalidConfig error.
// Errors start with "sqlstore:", the name of every store package.
func OpenStore[S any](ctx context.Context, cfg Config, invalid error, build func(*sql.DB) (S, error)) (S, error) {
	var zero S
	if invalid = errors.Join(invalid, cfg.ValidateDSN()); invalid != nil {
		return zero, InvalidConfig("sqlstore", invalid)
	}
	db, err := Open(ctx, cfg)
	if err != nil {
		return zero, fmt.Errorf("sqlstore: %w", err)
	}
	s, err := build(db)
	if err != nil {
		_ = db.Close()
		return zero, err
	}
	return s, nil
}

// CheckStoreDB reports a store's own Config errors (invalid), a nil db and
// a db whose driver is another dialect's than d (see DriverMismatch), as the
// error of a store constructor, wrapping ErrInvalidConfig.
func CheckStoreDB(db *sql.DB, d Dialect, invalid error) error {
	if db == nil {
		invalid = errors.Join(invalid, errors.New("db must not be nil"))
	}
	return InvalidConfig("sqlstore", invalid, DriverMismatch(d, db))
}
