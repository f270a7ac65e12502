package sqldbtest

import "database/sql/driver"

// PostgresLink returns the Rows of a PostgreSQL server's report on a
// connection (see sqldb.CheckLink): TLS or not, and the address it
// arrived at, "" for a unix socket, with its port.
func PostgresLink(tls bool, serverAddr string, port int64) map[string][]driver.Value {
	return map[string][]driver.Value{
		"pg_stat_ssl":    {tls, serverAddr, port},
		"pg_stat_gssapi": {false},
	}
}

// MySQLLink returns the Rows of a MySQL server's report on a connection
// (see sqldb.CheckLink): its TLS cipher, "" for none, the client's host as
// the server sees it, and the server's host name and port.
func MySQLLink(cipher, clientHost, serverHost string, port int64) map[string][]driver.Value {
	return map[string][]driver.Value{
		"Ssl_cipher": {"Ssl_cipher", cipher},
		"USER()":     {"app@" + clientHost, serverHost, port},
	}
}
