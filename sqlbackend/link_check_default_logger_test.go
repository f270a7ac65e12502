package sqlbackend_test

import (
	"context"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
	"github.com/sourceflow-go/sourceflow/sqlbackend"
)

// TestOpen_WarnsOfItsLinkThroughSlogsDefaultWithoutALogger checks that
// Open with the README's set-up, no Logger (the idempotency store's own
// default drops every line), warns of a MySQL connection crossing a
// network in clear text at slog's Warn, through slog's default logger. It
// swaps the process's default logger: it must not run in parallel.
func TestOpen_WarnsOfItsLinkThroughSlogsDefaultWithoutALogger(t *testing.T) {
	cfg, err := mysql.ParseDSN(sqldbtest.DSN(t, "mysql", "SOURCEFLOW_MYSQL_DSN", false))
	require.NoError(t, err)
	fwd := newProxyOn(t, sqldbtest.NonLoopbackAddress(t), cfg.Addr)
	cfg.Addr = fwd.addr
	prefix := uniquePrefix()
	lines := sqldbtest.CaptureSlogDefault(t)

	b, err := sqlbackend.Open(context.Background(), sqlbackend.Config{
		Dialect: sourceflow.MySQL, DSN: cfg.FormatDSN(), TablePrefix: prefix,
	})
	require.NoError(t, err)
	t.Cleanup(func() {
		dropTables(t, b.Store().DB(), prefix)
		assert.NoError(t, b.Close())
	})

	want := `level=WARN msg="idempotency/sqlstore: the connection to mysql at ` + fwd.addr + ` is not encrypted`
	assert.Equal(t, 1, strings.Count(lines.String(), want), lines.String())
}
