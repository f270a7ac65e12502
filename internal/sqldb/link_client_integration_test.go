//go:build integration

package sqldb_test

import (
	"io"
	"net"
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

// A pgx connection to a forwarder on another address than the loopback
// one (as PgBouncer on a database host is, which reaches the server over a
// loopback address or a unix socket) crosses a network in clear text,
// although the server sees it arrive on a loopback address: the client's
// own socket says where it goes, and the warning names that address.
func TestWarnPlaintextOfAPgxConnectionThroughAForwarder(t *testing.T) {
	dsn := os.Getenv("SOURCEFLOW_POSTGRES_DSN")
	require.NotEmpty(t, dsn, "SOURCEFLOW_POSTGRES_DSN is not set: start scripts/postgres.sh")
	cfg, err := pgx.ParseConfig(dsn)
	require.NoError(t, err)
	fwd := forward(t, sqldbtest.NonLoopbackAddress(t), net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))))
	host, port, err := net.SplitHostPort(fwd)
	require.NoError(t, err)
	p, err := strconv.Atoi(port)
	require.NoError(t, err)
	cfg.Host, cfg.Port = host, uint16(p)
	db := stdlib.OpenDB(*cfg)
	t.Cleanup(func() { _ = db.Close() })

	logger := watermill.NewCaptureLogger()
	sqldb.WarnPlaintext(t.Context(), db, sqldb.Postgres, "", time.Minute, logger, "sqlbus")

	assert.Empty(t, logger.Captured()[watermill.DebugLogLevel], "the check failed")
	warned := logger.Captured()[watermill.InfoLogLevel]
	require.Len(t, warned, 1, "a connection through a forwarder on %s", fwd)
	assert.Contains(t, warned[0].Msg, "sqlbus: the connection to postgres at "+fwd+" is not encrypted")
}

// forward listens on ip and forwards each connection to target, until the
// test ends; it returns the address it listens on.
func forward(t *testing.T, ip, target string) string {
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
			out, err := net.Dial("tcp", target)
			if err != nil {
				_ = in.Close()
				continue
			}
			wg.Go(func() { pipe(in, out) })
		}
	})
	return l.Addr().String()
}

// pipe copies a to b and b to a until either ends, then closes both.
func pipe(a, b net.Conn) {
	done := make(chan struct{}, 2)
	copyTo := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		done <- struct{}{}
	}
	go copyTo(a, b)
	go copyTo(b, a)
	<-done
	_ = a.Close()
	_ = b.Close()
	<-done
}
