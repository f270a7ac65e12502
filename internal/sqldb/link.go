package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Link is what CheckLink found of a connection to a database server.
type Link struct {
	// Encrypted reports that the server sees the connection protected by
	// TLS (on PostgreSQL, GSSAPI encryption counts too).
	Encrypted bool
	// Unverified reports that the connection is in TLS but the client does
	// not check the server's certificate, so anyone on the path can pose
	// as the server with a certificate of its own: PostgreSQL's
	// sslmode=prefer (pgx's default), allow or require without
	// sslrootcert, MySQL's tls=skip-verify or tls=preferred. pgx's own
	// connection says so (its TLS config); otherwise the DSN does, and
	// without one (or with a driver's registered config or dialer) it is
	// false: nothing tells. (CheckPlaintext, given no DSN, reads one the
	// context carries for the pool: WithOpenedFrom.)
	Unverified bool
	// Local reports a unix socket or a loopback address (127.0.0.0/8,
	// ::1, "localhost"): nothing of the connection crosses a network.
	Local bool
	// Addr names the server: host:port as the DSN gives it, else as the
	// server reports it; never credentials.
	Addr string
}

// Plaintext reports whether the connection crosses a network in clear
// text: it is neither encrypted nor local.
func (l Link) Plaintext() bool { return !l.Encrypted && !l.Local }

// UnverifiedTLS reports whether the connection crosses a network in TLS
// without the client verifying the server: it is encrypted, Unverified and
// not local.
func (l Link) UnverifiedTLS() bool { return l.Encrypted && l.Unverified && !l.Local }

// CheckLink finds whether one connection of db is encrypted, whether the
// client verifies the server (see Link.Unverified), and where it goes. A
// connection of pgx's database/sql driver says so itself (see clientLink),
// without a query. Otherwise it asks the server, so it works
// on a database the caller opened, whatever its driver: on PostgreSQL
// pg_stat_ssl (and pg_stat_gssapi) for pg_backend_pid() and
// inet_server_addr() (NULL for a unix socket); on MySQL and MariaDB the session's Ssl_cipher (empty
// without TLS) and the client's host in USER() ("localhost" for a socket).
// dsn, when not "", is the DSN db was opened with, read once (see readDSN):
// when it names hosts (not a driver's registered dialer or connection
// config, nor a DSN the driver cannot read), it names Addr instead, and,
// when the server is asked, where it points decides Local when it is a unix socket or an address
// (a loopback one, or "localhost", is local; any other address is not),
// since a server behind a forwarder or a container's published port sees
// another address than the one the client dials; and its TLS settings
// decide Unverified of a connection the server reports in TLS. A host name
// other than "localhost" leaves Local to the server (a name may stand for a loopback
// address, as a machine's own name often does), and so does a DSN naming a
// driver's registered dialer or connection config. A SQLite database is a
// local file: Local, without any query. ctx bounds the check.
func CheckLink(ctx context.Context, db *sql.DB, d Dialect, dsn string) (Link, error) {
	target := readDSN(d, dsn)
	if d == SQLite {
		return Link{Local: true, Addr: target.addr}, nil
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return Link{}, err
	}
	defer func() { _ = conn.Close() }()
	if l, ok := clientLink(conn); ok {
		if target.ok {
			l.Addr = target.addr
		}
		return l, nil
	}
	var l Link
	unverified := target.ok && target.unverified
	if d == MySQL {
		l, err = mysqlLink(ctx, conn, unverified)
	} else {
		l, err = postgresLink(ctx, conn, unverified)
	}
	if err != nil {
		return Link{}, err
	}
	if target.ok {
		l.Addr = target.addr
		if target.kind != hostName {
			l.Local = target.kind == hostLocal
		}
	}
	return l, nil
}

// postgresLink asks a PostgreSQL server about conn. GSSAPI encryption is
// asked about apart, and only when there is no TLS: pg_stat_gssapi is
// missing before PostgreSQL 12, whose connections then count as not
// encrypted. A connection in TLS is Unverified when unverified says its
// DSN does not verify the server; one in GSSAPI never is (Kerberos
// authenticates the server).
func postgresLink(ctx context.Context, conn *sql.Conn, unverified bool) (Link, error) {
	var ssl bool
	var addr string
	var port int
	err := conn.QueryRowContext(ctx, `SELECT COALESCE((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false),
		COALESCE(host(inet_server_addr()), ''), COALESCE(inet_server_port(), 0)`).Scan(&ssl, &addr, &port)
	if err != nil {
		return Link{}, fmt.Errorf("ask the server about the connection: %w", err)
	}
	unverified = unverified && ssl
	if !ssl {
		_ = conn.QueryRowContext(ctx, `SELECT COALESCE((SELECT encrypted FROM pg_stat_gssapi WHERE pid = pg_backend_pid()), false)`).Scan(&ssl)
	}
	if addr == "" {
		return Link{Encrypted: ssl, Unverified: unverified, Local: true, Addr: "a unix socket"}, nil
	}
	return Link{Encrypted: ssl, Unverified: unverified, Local: loopbackHost(addr), Addr: net.JoinHostPort(addr, strconv.Itoa(port))}, nil
}

// mysqlLink asks a MySQL or MariaDB server about conn: the session's
// Ssl_cipher, and the client's host as the server sees it (the part of
// USER() after its last '@': "localhost" for a socket, or a loopback
// address or "localhost" over TCP from the server's own host). A
// connection in TLS is Unverified when unverified says its DSN does not
// verify the server.
func mysqlLink(ctx context.Context, conn *sql.Conn, unverified bool) (Link, error) {
	var name, cipher string
	if err := conn.QueryRowContext(ctx, "SHOW SESSION STATUS LIKE 'Ssl_cipher'").Scan(&name, &cipher); err != nil {
		return Link{}, fmt.Errorf("ask the server about the connection: %w", err)
	}
	var user, host string
	var port int
	if err := conn.QueryRowContext(ctx, "SELECT USER(), @@hostname, @@port").Scan(&user, &host, &port); err != nil {
		return Link{}, fmt.Errorf("ask the server about the connection: %w", err)
	}
	client := user[strings.LastIndex(user, "@")+1:]
	return Link{Encrypted: cipher != "", Unverified: unverified && cipher != "", Local: loopbackHost(client),
		Addr: net.JoinHostPort(host, strconv.Itoa(port))}, nil
}

// hostKind is what a DSN's host says of where the connection goes.
type hostKind int

const (
	hostName   hostKind = iota // a name other than "localhost": the server decides
	hostRemote                 // an address that is not a loopback one
	hostLocal                  // a unix socket, a loopback address or "localhost"
)

// pgHostKind is what a pgx host says: a unix socket directory is local.
func pgHostKind(host string) hostKind {
	if strings.HasPrefix(host, "/") {
		return hostLocal
	}
	return tcpHostKind(host)
}

// tcpHostKind is what a TCP host says: only a loopback host (see
// loopbackHost) is local, only another address remote; a name could
// resolve to either.
func tcpHostKind(host string) hostKind {
	switch {
	case loopbackHost(host):
		return hostLocal
	case net.ParseIP(strings.Trim(host, "[]")) != nil:
		return hostRemote
	}
	return hostName
}

// loopbackHost reports whether host is "localhost" or a loopback address
// (127.0.0.0/8, ::1, ::ffff:127.0.0.1), possibly in brackets.
func loopbackHost(host string) bool {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
