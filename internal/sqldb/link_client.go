package sqldb

import (
	"crypto/tls"
	"database/sql"
	"net"

	"github.com/jackc/pgx/v5/stdlib"
)

// clientLink returns what the client's end of conn says of it, and true,
// when pgx's database/sql driver holds it over a socket: TLS or not, and
// the address the socket reaches (a unix socket, or a TCP address, local
// when a loopback one). That is where the client's bytes go, whatever the
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
		l, ok = socketLink(c.Conn().PgConn().Conn())
		return nil
	})
	return l, ok
}

// socketLink is what nc, a pgx connection's socket, says of it.
func socketLink(nc net.Conn) (Link, bool) {
	var encrypted bool
	if tc, isTLS := nc.(*tls.Conn); isTLS {
		encrypted, nc = true, tc.NetConn()
	}
	switch nc.(type) {
	case *net.UnixConn:
		return Link{Encrypted: encrypted, Local: true, Addr: "a unix socket"}, true
	case *net.TCPConn:
		addr, _ := nc.RemoteAddr().(*net.TCPAddr)
		if addr == nil {
			return Link{}, false
		}
		return Link{Encrypted: encrypted, Local: addr.IP.IsLoopback(), Addr: addr.String()}, true
	}
	return Link{}, false
}
