package sqldb

import (
	"net"
	"strconv"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
)

// unparsableAddr stands for the address of a DSN the driver cannot read.
const unparsableAddr = "(unparsable DSN)"

// dsnTarget is what one reading of a DSN says of where it points.
type dsnTarget struct {
	// addr names it without credentials: host:port (PostgreSQL's first
	// host; MySQL's address, a socket's path included), or the SQLite file.
	addr string
	// kind is what its hosts say (for a PostgreSQL DSN listing several,
	// local only when each is local, remote when one is remote).
	kind hostKind
	// unverified reports that a connection in TLS by its settings does
	// not verify the server (pgxUnverified; MySQL's tls=skip-verify,
	// tls=preferred, or a registered config that skips the check).
	unverified bool
	// ok reports that the DSN names hosts a check can use: false when it
	// is empty, cannot be read, names a driver's registered dialer (MySQL)
	// or connection config (pgx), or is a SQLite file.
	ok bool
}

// readDSN reads dsn once for both what Address shows and what CheckLink
// takes from its hosts.
func readDSN(d Dialect, dsn string) dsnTarget {
	switch d {
	case Postgres:
		return readPostgresDSN(dsn)
	case MySQL:
		return readMySQLDSN(dsn)
	}
	path, _, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	return dsnTarget{addr: path}
}

func readPostgresDSN(dsn string) dsnTarget {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return dsnTarget{addr: unparsableAddr}
	}
	t := dsnTarget{addr: net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))), kind: pgHostKind(cfg.Host),
		unverified: pgxUnverified(&cfg.Config), ok: dsn != ""}
	for _, fb := range cfg.Fallbacks {
		t.kind = min(t.kind, pgHostKind(fb.Host))
	}
	return t
}

func readMySQLDSN(dsn string) dsnTarget {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return dsnTarget{addr: unparsableAddr}
	}
	t := dsnTarget{addr: cfg.Addr, unverified: cfg.TLS != nil && !verifiesServer(cfg.TLS)}
	switch {
	case dsn == "":
	case cfg.Net == "unix":
		t.kind, t.ok = hostLocal, true
	case cfg.Net == "tcp" || cfg.Net == "tcp4" || cfg.Net == "tcp6":
		if host, _, err := net.SplitHostPort(cfg.Addr); err == nil {
			t.kind, t.ok = tcpHostKind(host), true
		}
	}
	return t
}

// Address returns where a DSN points, without credentials: host:port for
// PostgreSQL and MySQL, the file for SQLite.
func Address(d Dialect, dsn string) string {
	return readDSN(d, dsn).addr
}
