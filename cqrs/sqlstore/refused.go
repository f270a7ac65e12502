package sqlstore

import (
	"errors"
	"fmt"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/sourceflow-go/sourceflow"
)

// refused marks as sourceflow.Permanent an error with which the database
// refused a write's values (see isInvalidData): the same values are refused
// on every try, so the message is dead-lettered with the reason instead of
// delivered again. Other errors, a lost connection, a deadlock, a
// serialization failure or a lock wait timeout among them, are returned as
// they are, to be retried.
func refused(err error) error {
	if !isInvalidData(err) {
		return err
	}
	return sourceflow.Permanent(fmt.Errorf("the database refused the values: %w", err))
}

// isInvalidData reports an error the database returns for the values of a
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
func isInvalidData(err error) bool {
	var pe *pgconn.PgError
	var me *mysql.MySQLError
	var se *sqlite.Error
	switch {
	case errors.As(err, &pe):
		return pgInvalidData(pe.Code)
	case errors.As(err, &me):
		return mysqlInvalidData(me)
	case errors.As(err, &se):
		switch se.Code() {
		case sqlite3.SQLITE_TOOBIG, sqlite3.SQLITE_MISMATCH, sqlite3.SQLITE_CONSTRAINT_NOTNULL,
			sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return true
		}
	}
	return false
}

func pgInvalidData(code string) bool {
	if len(code) != 5 || code == "23505" || code == "23P01" {
		return false
	}
	switch code[:2] {
	case "22", "23", "54":
		return true
	}
	return false
}

// MySQL error numbers isInvalidData treats apart from their SQLSTATE.
const (
	mysqlDupKey          = 1022 // ER_DUP_KEY
	mysqlDupEntry        = 1062 // ER_DUP_ENTRY
	mysqlDupUnique       = 1169 // ER_DUP_UNIQUE
	mysqlDupEntryKeyName = 1586 // ER_DUP_ENTRY_WITH_KEY_NAME
	mysqlWrongValue      = 1366 // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD, SQLSTATE HY000 on MySQL
	mysqlPacketTooLarge  = 1153 // ER_NET_PACKET_TOO_LARGE, SQLSTATE 08S01
	mysqlCheckViolated   = 3819 // ER_CHECK_CONSTRAINT_VIOLATED, SQLSTATE HY000
)

func mysqlInvalidData(me *mysql.MySQLError) bool {
	switch me.Number {
	case mysqlDupKey, mysqlDupEntry, mysqlDupUnique, mysqlDupEntryKeyName:
		return false
	case mysqlWrongValue, mysqlPacketTooLarge, mysqlCheckViolated:
		return true
	}
	class := string(me.SQLState[:2])
	return class == "22" || class == "23"
}
