package sqlstore

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/sourceflow-go/sourceflow"
)

// isUniqueViolation reports a duplicate primary or unique key: PostgreSQL
// 23505, MySQL 1062, SQLite's unique and primary key constraints.
func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	var me *mysql.MySQLError
	var se *sqlite.Error
	switch {
	case errors.As(err, &pe):
		return pe.Code == "23505"
	case errors.As(err, &me):
		return me.Number == 1062
	case errors.As(err, &se):
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// isDeadlock reports a MySQL deadlock (1213) or lock wait timeout (1205):
// concurrent upserts of a new key can deadlock on InnoDB's gap locks. The
// statement can run again when no caller's transaction was lost with it.
func isDeadlock(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && (me.Number == 1213 || me.Number == 1205)
}

// checkKey rejects a key the key columns cannot hold: longer than
// MaxKeyLength bytes, not UTF-8 or holding a NUL byte (which PostgreSQL
// and MySQL refuse), or ending in a space: MySQL's utf8mb4_bin ignores
// trailing spaces, so "o-1 " would name the row of "o-1" there (share its
// sequence, its commands and its documents), and it is refused on every
// dialect so that behaviour does not depend on the database. No retry
// makes such a key fit, so the error is sourceflow.Permanent: the message
// is dead-lettered at once.
func checkKey(name, key string) error {
	if len(key) > MaxKeyLength {
		return sourceflow.Permanent(fmt.Errorf("%w: %s is %d bytes, longer than %d", ErrInvalidKey, name, len(key), MaxKeyLength))
	}
	if !utf8.ValidString(key) || strings.IndexByte(key, 0) >= 0 {
		return sourceflow.Permanent(fmt.Errorf("%w: %s %q is not valid UTF-8 without NUL bytes", ErrInvalidKey, name, key))
	}
	if strings.HasSuffix(key, " ") {
		return sourceflow.Permanent(fmt.Errorf("%w: %s %q ends in a space, which MySQL does not tell apart from the key without it", ErrInvalidKey, name, key))
	}
	return nil
}

// checkKeys checks name/key pairs in order and returns the first error.
func checkKeys(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if err := checkKey(pairs[i], pairs[i+1]); err != nil {
			return err
		}
	}
	return nil
}
