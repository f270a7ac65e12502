package sqldb

import (
	"database/sql/driver"
	"errors"
	"io"
	"net"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sourceflow-go/sourceflow"
)

// MySQL error numbers with which a server turns a connection away for a
// while.
const (
	mysqlTooManyConnections = 1040 // ER_CON_COUNT_ERROR
	mysqlServerShutdown     = 1053 // ER_SERVER_SHUTDOWN
)

// Unavailable returns err marked sourceflow.StoreUnavailable when it says
// the database could not be reached (see unreachable), so that a transport
// redelivers the message whose handling failed with it without using up its
// deliveries; any other error is returned as it is.
func Unavailable(err error) error {
	if !unreachable(err) {
		return err
	}
	return sourceflow.StoreUnavailable(err)
}

// unreachable reports whether err says the database is not there to
// answer, rather than answering no: the connection was refused, lost or not
// answered (a dial's *net.OpError, pgx's *pgconn.ConnectError, a bad or
// invalid connection, an unexpected EOF), or the server turned it away
// while it shuts down, starts up or has too many connections (PostgreSQL
// SQLSTATE class 08, 57P01-57P03, 53300; MySQL 1040, 1053). A refusal of
// the DSN's user, password or database (refusedLogin) is a configuration
// mistake, not an outage, and a permanent error is not retried at all.
func unreachable(err error) bool {
	if err == nil || sourceflow.IsPermanent(err) || refusedLogin(err) {
		return false
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysql.ErrInvalidConn) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	if _, ok := errors.AsType[*pgconn.ConnectError](err); ok {
		return true
	}
	if _, ok := errors.AsType[*net.OpError](err); ok {
		return true
	}
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok {
		switch pe.Code {
		case "57P01", "57P02", "57P03", "53300":
			return true
		}
		return len(pe.Code) == 5 && pe.Code[:2] == "08"
	}
	if me, ok := errors.AsType[*mysql.MySQLError](err); ok {
		return me.Number == mysqlTooManyConnections || me.Number == mysqlServerShutdown
	}
	return false
}
