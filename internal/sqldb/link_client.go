package sqldb

import (
	"crypto/tls"
	"database/sql"
	"net"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// clientLink returns what the client's end of conn says of it, and true,
// when pgx's database/sql driver holds it over a socket: TLS or not, and
// the address the socket reaches (a unix socket, or a TCP address, local
// when a loopback one), and, in TLS, whether the server went unverified
// (unverifiedTLS, from the connection's config). That is where the client's bytes go, whatever the
// server sees behind a pooler or proxy (PgBouncer on the server's host
// reaching it through a unix socket, a proxy that adds or ends TLS), and
// whatever a host name resolved to. It returns false for another driver,
// or a socket of a caller's dialer that is neither (a tunnel's channel):
// the server decides then.
func clientLink(conn *sql.Conn) (Link, bool) {
	var l Link
	var ok bool
	_ = conn.Raw(func(dc any) error {
		c, isPgx := dc.(*stdlib.Conn)
		if !isPgx {
			return nil
		}
		l, ok = socketLink(c.Conn().PgConn().Conn(), &c.Conn().Config().Config)
		return nil
	})
	return l, ok
}

// socketLink is what nc, the socket of a pgx connection made with cfg,
// says of it.
func socketLink(nc net.Conn, cfg *pgconn.Config) (Link, bool) {
	var l Link
	if tc, isTLS := nc.(*tls.Conn); isTLS {
		l.Encrypted, l.Unverified, nc = true, unverifiedTLS(tc.ConnectionState(), cfg), tc.NetConn()
	}
	switch nc.(type) {
	case *net.UnixConn:
		l.Local, l.Addr = true, "a unix socket"
		return l, true
	case *net.TCPConn:
		addr, _ := nc.RemoteAddr().(*net.TCPAddr)
		if addr == nil {
			return Link{}, false
		}
		l.Local, l.Addr = addr.IP.IsLoopback(), addr.String()
		return l, true
	}
	return Link{}, false
}
