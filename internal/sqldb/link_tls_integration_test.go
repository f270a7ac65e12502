//go:build integration

package sqldb_test

import (
	"crypto/tls"
	"encoding/binary"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// A pgx connection through a proxy on another address than the loopback
// one that ends TLS under a certificate of its own, as someone on the path
// would, is warned of under sslmode=prefer (pgx's default) and require,
// without sslrootcert, which accept any certificate: the connection is encrypted, but to the
// proxy, which reads and can change every statement. Under verify-full
// and verify-ca, or require with sslrootcert (which pgx takes for
// verify-ca), with the proxy's certificate as sslrootcert (a proxy the
// operator trusts), it is not.
func TestWarnPlaintextOfAPgxConnectionInTLSThatDoesNotVerifyTheServer(t *testing.T) {
	base := os.Getenv("SOURCEFLOW_POSTGRES_DSN")
	require.NotEmpty(t, base, "SOURCEFLOW_POSTGRES_DSN is not set: start scripts/postgres.sh")
	upstream, err := pgx.ParseConfig(base)
	require.NoError(t, err)
	ip := sqldbtest.NonLoopbackAddress(t)
	cert, ca := selfSignedCert(t, ip)
	proxy := endTLS(t, ip, net.JoinHostPort(upstream.Host, strconv.Itoa(int(upstream.Port))), cert)
	for _, tt := range []struct {
		name     string
		settings url.Values
		warned   bool
	}{
		{"prefer", url.Values{"sslmode": {"prefer"}}, true},
		{"prefer with sslrootcert", url.Values{"sslmode": {"prefer"}, "sslrootcert": {ca}}, true},
		{"require", url.Values{"sslmode": {"require"}}, true},
		{"require with sslrootcert", url.Values{"sslmode": {"require"}, "sslrootcert": {ca}}, false},
		{"verify-ca", url.Values{"sslmode": {"verify-ca"}, "sslrootcert": {ca}}, false},
		{"verify-full", url.Values{"sslmode": {"verify-full"}, "sslrootcert": {ca}}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dsn := withHost(t, base, proxy, tt.settings)
			cfg, err := pgx.ParseConfig(dsn)
			require.NoError(t, err)
			db := stdlib.OpenDB(*cfg)
			t.Cleanup(func() { _ = db.Close() })
			l, err := sqldb.CheckLink(t.Context(), db, sqldb.Postgres, dsn)
			require.NoError(t, err)
			require.True(t, l.Encrypted, "the proxy ends TLS: %+v", l)

			logger := watermill.NewCaptureLogger()
			sqldb.WarnPlaintext(t.Context(), db, sqldb.Postgres, dsn, time.Minute, logger, "sqlbus")

			assert.Empty(t, logger.Captured()[watermill.DebugLogLevel], "the check failed")
			infos := logger.Captured()[watermill.InfoLogLevel]
			if !tt.warned {
				assert.Empty(t, infos)
				return
			}
			require.Len(t, infos, 1)
			assert.Equal(t, sqldb.UnverifiedWarning("sqlbus", sqldb.Postgres, proxy), infos[0].Msg)
		})
	}
}

// withHost returns dsn pointing at addr, with set's settings.
func withHost(t *testing.T, dsn, addr string, set url.Values) string {
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	u.Host = addr
	q := u.Query()
	for k, v := range set {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// endTLS listens on ip and forwards each connection to target, a
// PostgreSQL server without TLS, until the test ends; a client asking for
// TLS gets it, under cert, from the proxy. It returns the address it
// listens on.
func endTLS(t *testing.T, ip, target string, cert tls.Certificate) string {
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	require.NoError(t, err)
	var wg sync.WaitGroup
	t.Cleanup(func() {
		_ = l.Close()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			in, err := l.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { endTLSOf(in, target, cert) })
		}
	})
	return l.Addr().String()
}

// endTLSOf answers a PostgreSQL client's SSLRequest on in with 'S' and a
// TLS handshake under cert, refuses a GSSENCRequest, and then forwards
// what follows to target in clear.
func endTLSOf(in net.Conn, target string, cert tls.Certificate) {
	const sslRequest, gssRequest = 80877103, 80877104
	var client net.Conn = in
	var first [8]byte
	for {
		if _, err := io.ReadFull(client, first[:]); err != nil {
			_ = client.Close()
			return
		}
		code := binary.BigEndian.Uint32(first[4:])
		if code == gssRequest {
			_, _ = client.Write([]byte("N"))
			continue
		}
		if code != sslRequest {
			break
		}
		_, _ = client.Write([]byte("S"))
		tc := tls.Server(client, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
		if err := tc.Handshake(); err != nil {
			_ = tc.Close()
			return
		}
		client = tc
	}
	out, err := net.Dial("tcp", target)
	if err == nil {
		_, err = out.Write(first[:])
	}
	if err != nil {
		_ = client.Close()
		return
	}
	pipe(client, out)
}
