package sqlbackend_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
	"github.com/sourceflow-go/sourceflow/sqlbackend"
)

// TestOpen_ChecksItsLinkOnMySQLWithItsDSN checks that Open, opening a
// MySQL pool from a DSN, checks its connection with that DSN, once: through
// a forwarder on a non-loopback address of this machine the server sees a
// loopback client, and only the DSN tells that the connection crosses a
// network in clear text, as only the DSN tells go-sql-driver's
// tls=skip-verify or tls=preferred. One warning names the DSN's address.
func TestOpen_ChecksItsLinkOnMySQLWithItsDSN(t *testing.T) {
	cfg, err := mysql.ParseDSN(sqldbtest.DSN(t, "mysql", "SOURCEFLOW_MYSQL_DSN", false))
	require.NoError(t, err)
	fwd := newProxyOn(t, sqldbtest.NonLoopbackAddress(t), cfg.Addr)
	cfg.Addr = fwd.addr
	logger := watermill.NewCaptureLogger()
	prefix := uniquePrefix()

	b, err := sqlbackend.Open(context.Background(), sqlbackend.Config{
		Dialect: sourceflow.MySQL, DSN: cfg.FormatDSN(), TablePrefix: prefix, Logger: logger,
	})
	require.NoError(t, err)
	t.Cleanup(func() {
		dropTables(t, b.Store().DB(), prefix)
		assert.NoError(t, b.Close())
	})

	var warned []string
	for _, l := range logger.Captured()[watermill.InfoLogLevel] {
		if strings.Contains(l.Msg, "the connection to mysql") {
			warned = append(warned, l.Msg)
		}
	}
	require.Len(t, warned, 1, "one warning of the connection through %s", fwd.addr)
	assert.Contains(t, warned[0], "the connection to mysql at "+fwd.addr+" is not encrypted")
}
