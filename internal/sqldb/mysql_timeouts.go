package sqldb

import (
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// MySQLIOTimeout is the readTimeout and writeTimeout Open adds to a MySQL
// DSN that sets neither. Without them go-sql-driver/mysql waits for good
// on a server that stopped answering without closing the connection (a
// network partition): a query, or a COMMIT, which takes no context, never
// returns. It is above InnoDB's default innodb_lock_wait_timeout (50 s), so
// a statement waiting for a row lock ends with the server's lock wait
// error (1205), which the stores recognise, rather than with a client
// timeout that breaks the connection.
const MySQLIOTimeout = 60 * time.Second

// mysqlTimeoutParams are the DSN parameters Open sets to MySQLIOTimeout
// when the DSN does not name them.
var mysqlTimeoutParams = [...]string{"readTimeout", "writeTimeout"}

// WithMySQLTimeouts adds readTimeout and writeTimeout of MySQLIOTimeout to a
// MySQL DSN that does not name them; a DSN that does, with any value (0
// turns the timeout off), keeps its own. Other dialects' DSNs, and a DSN
// the driver cannot parse (Open reports its error), are returned unchanged.
// Open applies it; code that opens a database itself (the sql commands of
// the CLI) calls it to get the same bounds.
func WithMySQLTimeouts(d Dialect, dsn string) string {
	if d != MySQL {
		return dsn
	}
	if _, err := mysql.ParseDSN(dsn); err != nil {
		return dsn
	}
	for _, name := range mysqlTimeoutParams {
		if !hasMySQLParam(dsn, name) {
			dsn = addMySQLParam(dsn, name+"="+MySQLIOTimeout.String())
		}
	}
	return dsn
}

// mysqlParams returns the parameters of a parsable MySQL DSN, which follow
// the first "?" after its last "/", and whether it has a "?".
func mysqlParams(dsn string) (string, bool) {
	_, params, found := strings.Cut(dsn[strings.LastIndex(dsn, "/")+1:], "?")
	return params, found
}

// hasMySQLParam reports whether the parameters of dsn name name.
func hasMySQLParam(dsn, name string) bool {
	params, _ := mysqlParams(dsn)
	for _, p := range strings.Split(params, "&") {
		if key, _, _ := strings.Cut(p, "="); key == name {
			return true
		}
	}
	return false
}

// addMySQLParam appends param (name=value) to the parameters of dsn.
func addMySQLParam(dsn, param string) string {
	params, found := mysqlParams(dsn)
	switch {
	case !found:
		return dsn + "?" + param
	case params == "":
		return dsn + param
	}
	return dsn + "&" + param
}
