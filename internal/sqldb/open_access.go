package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/go-sql-driver/mysql"
)

// MySQL and MariaDB error numbers with which a server that answered
// refuses the DSN's account or the connection itself, on every try.
const (
	mysqlHostBlocked     = 1129 // ER_HOST_IS_BLOCKED: too many connection errors from this host
	mysqlHostNotAllowed  = 1130 // ER_HOST_NOT_PRIVILEGED
	mysqlPasswordExpired = 1862 // ER_MUST_CHANGE_PASSWORD_LOGIN
	mysqlMustSetPassword = 1820 // ER_MUST_CHANGE_PASSWORD: connected only to set a new one
	mysqlAccountLocked   = 3118 // ER_ACCOUNT_HAS_BEEN_LOCKED (MySQL)
	mysqlSecureTransport = 3159 // ER_SECURE_TRANSPORT_REQUIRED
	mariadbAccountLocked = 4151 // ER_ACCOUNT_HAS_BEEN_LOCKED (MariaDB)
)

// accountLocked words a locked account, which MySQL and MariaDB number
// apart.
const accountLocked = "refused the DSN's user: the DSN's user's account is locked: " +
	"unlock it (ALTER USER … ACCOUNT UNLOCK) or use another account"

// passwordExpired words an expired password, which the server refuses at
// login or, where it lets the account connect only to set a new password
// (MariaDB's default), at the first statement.
const passwordExpired = "refused the DSN's user: the DSN's user's password has expired: " +
	"set a new password (ALTER USER … IDENTIFIED BY …) and put it in the DSN"

// mysqlAccessRefusals words each refusal of the DSN's account or
// connection: its cause, then what to change. Like a refused login
// (refusedLogin), none is an outage: no retry passes until an operator
// changes the account, the DSN or (a blocked host) the server.
var mysqlAccessRefusals = map[uint16]string{
	mysqlHostBlocked: "blocks this client's host after too many connection errors from it " +
		"(more than max_connect_errors in a row): unblock it with FLUSH HOSTS " +
		"(mariadb-admin flush-hosts; on MySQL 8.0.23 or later TRUNCATE TABLE performance_schema.host_cache), " +
		"find what keeps failing to connect from this host, or raise max_connect_errors",
	mysqlHostNotAllowed: "does not let the DSN's user connect from this client's host: " +
		"allow the user from this host (CREATE USER or GRANT for 'user'@'host')",
	mysqlSecureTransport: "requires a secure connection (require_secure_transport): " +
		"set tls=true, or the name of a registered TLS config, in the DSN",
	mysqlPasswordExpired: passwordExpired,
	mysqlMustSetPassword: passwordExpired,
	mysqlAccountLocked:   accountLocked,
	mariadbAccountLocked: accountLocked,
}

// accessRefusal words err, from the connection check at open, when it is a
// MySQL or MariaDB server's refusal of the DSN's account or connection
// (mysqlAccessRefusals), and is "" otherwise.
func accessRefusal(err error) string {
	if e, ok := errors.AsType[*mysql.MySQLError](err); ok {
		return mysqlAccessRefusals[e.Number]
	}
	return ""
}

// connCheck is Open's connection check: a ping, or for MySQL a statement,
// which a server that lets an account whose password expired connect only
// to set a new one (MariaDB's default) refuses where it answers a ping.
func connCheck(ctx context.Context, db *sql.DB, d Dialect) error {
	if d == MySQL {
		_, err := db.ExecContext(ctx, "DO 1")
		return err
	}
	return db.PingContext(ctx)
}

// withoutTLS is what a MySQL refusal of the DSN's user (1045) adds when the
// DSN asks for no TLS: MariaDB refuses so a connection without TLS that
// the account (REQUIRE SSL) or the server (require_secure_transport)
// requires. It is "" otherwise.
func withoutTLS(cfg Config, err error) string {
	if e, ok := errors.AsType[*mysql.MySQLError](err); !ok || e.Number != mysqlAccessDenied || cfg.Dialect != MySQL {
		return ""
	}
	if c, perr := mysql.ParseDSN(cfg.DSN); perr != nil || c.TLS != nil || c.TLSConfig != "" && c.TLSConfig != "false" {
		return ""
	}
	return ", or a connection without TLS: set tls=true in the DSN if the account or the server requires TLS"
}
