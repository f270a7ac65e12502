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

// errorKind is what a driver's error says of the statement that failed.
type errorKind int

const (
	// otherError is any error but the two below: a lost connection, a
	// deadlock, a serialization failure, a lock wait timeout...
	otherError errorKind = iota
	// uniqueViolation is a duplicate primary or unique key: PostgreSQL
	// 23505, MySQL 1062, SQLite's unique and primary key constraints.
	uniqueViolation
	// invalidData is an error the database returns for the values of a
	// statement rather than for its circumstances:
	//   - PostgreSQL: class 22 (data exception: a value too long or out of
	//     range, text that is not UTF-8 or holds NUL, a NUL escape in JSONB),
	//     class 23 (integrity constraint violation) but for a unique (23505) or
	//     exclusion (23P01) violation, which a concurrent write causes, and
	//     class 54 (program limit exceeded, such as a value over 1 GB);
	//   - MySQL, MariaDB: SQLSTATE class 22 or 23 (a value too long or out of
	//     range, a NULL, a foreign key or MariaDB CHECK constraint) but for
	//     duplicate keys, and, whatever their SQLSTATE, an incorrect value for
	//     the column (1366: HY000 on MySQL, 22007 on MariaDB), such as a string
	//     not valid in its character set, a MySQL CHECK constraint (3819) and a
	//     statement over max_allowed_packet (1153);
	//   - SQLite: a value too big, a datatype mismatch, a NOT NULL, CHECK or
	//     foreign key constraint.
	invalidData
)

// classify returns the kind of err, as the driver of PostgreSQL, MySQL or
// SQLite that returned it tells it.
func classify(err error) errorKind {
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok {
		return pgKind(pe.Code)
	}
	if me, ok := errors.AsType[*mysql.MySQLError](err); ok {
		return mysqlKind(me)
	}
	if se, ok := errors.AsType[*sqlite.Error](err); ok {
		return sqliteKind(se.Code())
	}
	return otherError
}

func pgKind(code string) errorKind {
	switch {
	case code == "23505":
		return uniqueViolation
	case len(code) != 5 || code == "23P01":
		return otherError
	}
	switch code[:2] {
	case "22", "23", "54":
		return invalidData
	}
	return otherError
}

// MySQL error numbers classify treats apart from their SQLSTATE.
const (
	mysqlDupKey          = 1022 // ER_DUP_KEY
	mysqlDupEntry        = 1062 // ER_DUP_ENTRY
	mysqlDupUnique       = 1169 // ER_DUP_UNIQUE
	mysqlDupEntryKeyName = 1586 // ER_DUP_ENTRY_WITH_KEY_NAME
	mysqlWrongValue      = 1366 // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD, SQLSTATE HY000 on MySQL
	mysqlPacketTooLarge  = 1153 // ER_NET_PACKET_TOO_LARGE, SQLSTATE 08S01
	mysqlCheckViolated   = 3819 // ER_CHECK_CONSTRAINT_VIOLATED, SQLSTATE HY000
)

func mysqlKind(me *mysql.MySQLError) errorKind {
	switch me.Number {
	case mysqlDupEntry:
		return uniqueViolation
	case mysqlDupKey, mysqlDupUnique, mysqlDupEntryKeyName:
		return otherError
	case mysqlWrongValue, mysqlPacketTooLarge, mysqlCheckViolated:
		return invalidData
	}
	if class := string(me.SQLState[:2]); class == "22" || class == "23" {
		return invalidData
	}
	return otherError
}

func sqliteKind(code int) errorKind {
	switch code {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return uniqueViolation
	case sqlite3.SQLITE_TOOBIG, sqlite3.SQLITE_MISMATCH, sqlite3.SQLITE_CONSTRAINT_NOTNULL,
		sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return invalidData
	}
	return otherError
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
