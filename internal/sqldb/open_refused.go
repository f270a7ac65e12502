package sqldb

import (
	"errors"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
)

// MySQL error numbers with which a server refuses a connection's user,
// password or database.
const (
	mysqlDBAccessDenied       = 1044 // ER_DBACCESS_DENIED_ERROR
	mysqlAccessDenied         = 1045 // ER_ACCESS_DENIED_ERROR
	mysqlBadDB                = 1049 // ER_BAD_DB_ERROR
	mysqlAccessDeniedNoPasswd = 1698 // ER_ACCESS_DENIED_NO_PASSWORD_ERROR
)

// refusedLogin reports whether err, from the connection check at open, is
// the server's refusal of what the DSN asks for: a user that does not
// exist, a wrong password, a database that does not exist or that the user
// may not connect to. The server answered, and answers the same on every
// try, so it is a configuration mistake, not an outage. PostgreSQL tells it
// with SQLSTATE class 28 (invalid authorization: 28000, 28P01
// invalid_password), 3D000 (invalid_catalog_name) or 42501
// (insufficient_privilege: no CONNECT privilege); MySQL with 1044, 1045,
// 1049 or 1698. Anything else (no answer, a timeout, too many connections,
// a server still starting up) may pass.
func refusedLogin(err error) bool {
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok {
		return pe.Code == "3D000" || pe.Code == "42501" || len(pe.Code) == 5 && pe.Code[:2] == "28"
	}
	if me, ok := errors.AsType[*mysql.MySQLError](err); ok {
		switch me.Number {
		case mysqlDBAccessDenied, mysqlAccessDenied, mysqlBadDB, mysqlAccessDeniedNoPasswd:
			return true
		}
	}
	return false
}
