package sqldb

import (
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
//
// pgx tries each host of a DSN, and each with and without TLS as sslmode
// allows, going on after a 28000, and joins the failures of the tries:
// the error is a refusal only when every try was refused, since the host
// that did not answer may accept the DSN once it does.
func refusedLogin(err error) bool {
	switch e := err.(type) { //nolint:errorlint // walks the tree itself: a join is refused only when each try was
	case *pgconn.PgError:
		return e.Code == "3D000" || e.Code == "42501" || len(e.Code) == 5 && e.Code[:2] == "28"
	case *mysql.MySQLError:
		switch e.Number {
		case mysqlDBAccessDenied, mysqlAccessDenied, mysqlBadDB, mysqlAccessDeniedNoPasswd:
			return true
		}
	case interface{ Unwrap() []error }:
		tries := e.Unwrap()
		for _, try := range tries {
			if !refusedLogin(try) {
				return false
			}
		}
		return len(tries) > 0
	case interface{ Unwrap() error }:
		return refusedLogin(e.Unwrap())
	}
	return false
}
