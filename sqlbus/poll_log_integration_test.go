//go:build integration

package sqlbus_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/ThreeDotsLabs/watermill"
	_ "github.com/go-sql-driver/mysql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// failedPoll is what watermill-sql logs of a failed poll.
const failedPoll = "Error querying for message"

// After an outage of the real database ends, with no message to read, a
// subscription's next empty poll logs that its failed polls cleared, and
// a failure after that is logged at once again, on PostgreSQL and MySQL.
func TestAnOutageEndLogsClearedWithoutNewMessages(t *testing.T) {
	for _, c := range []struct {
		dialect sourceflow.Dialect
		driver  string
		env     string
		addr    *regexp.Regexp
	}{
		{sourceflow.Postgres, "pgx", "SOURCEFLOW_POSTGRES_DSN", regexp.MustCompile(`@([^/]+)/`)},
		{sourceflow.MySQL, "mysql", "SOURCEFLOW_MYSQL_DSN", regexp.MustCompile(`tcp\(([^)]+)\)`)},
	} {
		t.Run(string(c.dialect), func(t *testing.T) {
			dsn := os.Getenv(c.env)
			require.NotEmpty(t, dsn, "%s is not set; run `make test` (it starts the database)", c.env)
			upstream := c.addr.FindStringSubmatch(dsn)[1]
			proxy := newOutageProxy(t, upstream)
			db, err := sql.Open(c.driver, strings.Replace(dsn, upstream, proxy.Listen, 1))
			require.NoError(t, err)
			t.Cleanup(func() { _ = db.Close() })
			checkOutageEnd(t, db, c.dialect, proxy)
		})
	}
}

// checkOutageEnd subscribes through db, cuts proxy, then restores it, and
// checks what the subscription logged.
func checkOutageEnd(t *testing.T, db *sql.DB, dialect sourceflow.Dialect, proxy *toxiproxy.Proxy) {
	t.Helper()
	logs := watermill.NewCaptureLogger()
	tr, err := sqlbus.NewTransport(sqlbus.Config{DB: db, Dialect: dialect, Logger: logs, PollInterval: 50 * time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	dest := "polllog_" + strings.ToLower(fmt.Sprint(rand.Uint32()))
	t.Cleanup(func() {
		quote := map[sourceflow.Dialect]string{sourceflow.Postgres: `"`, sourceflow.MySQL: "`"}[dialect]
		for _, table := range []string{"watermill_" + sqlbus.Topic(dest), "watermill_offsets_" + sqlbus.Topic(dest)} {
			_, err := db.Exec("DROP TABLE IF EXISTS " + quote + table + quote)
			assert.NoError(t, err)
		}
	})
	require.NoError(t, tr.Bind(t.Context(), sourceflow.Binding{Service: "billing"}))
	sub, err := tr.Subscriber(dest)
	require.NoError(t, err)
	t.Cleanup(func() { _ = sub.Close() })
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	_, err = sub.Subscribe(ctx, sqlbus.Topic(dest))
	require.NoError(t, err)

	count := func(level watermill.LogLevel, msg string) int {
		n := 0
		for _, m := range logs.Captured()[level] {
			if m.Msg == msg {
				n++
			}
		}
		return n
	}
	proxy.Stop()
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.Equal(c, 1, count(watermill.ErrorLogLevel, failedPoll), "the first failed poll, at once")
	}, 20*time.Second, 50*time.Millisecond)
	require.NoError(t, proxy.Start())
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.Equal(c, 1, count(watermill.InfoLogLevel, "cleared: "+failedPoll), "an empty poll clears the log")
	}, 20*time.Second, 50*time.Millisecond)
	proxy.Stop()
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.Equal(c, 2, count(watermill.ErrorLogLevel, failedPoll), "a failure after the clear is logged at once")
	}, 20*time.Second, 50*time.Millisecond)
	require.NoError(t, proxy.Start())
}

// newOutageProxy starts a proxy to upstream on a loopback port below the
// ephemeral range, so that Start can listen on it again after Stop.
func newOutageProxy(t *testing.T, upstream string) *toxiproxy.Proxy {
	t.Helper()
	srv := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop())
	for range 100 {
		addr := fmt.Sprintf("127.0.0.1:%d", 20000+rand.IntN(12000))
		if l, err := net.Listen("tcp", addr); err == nil {
			require.NoError(t, l.Close())
			p := toxiproxy.NewProxy(srv, "db", addr, upstream)
			require.NoError(t, p.Start())
			t.Cleanup(p.Stop)
			return p
		}
	}
	t.Fatal("no free loopback port in 20000-32000")
	return nil
}
