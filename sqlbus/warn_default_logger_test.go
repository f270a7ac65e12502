package sqlbus_test

import (
	"context"
	"database/sql/driver"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// publishAndSubscribe binds a transport of cfg, publishes one message to
// orders and subscribes to it: the calls that check the connection.
func publishAndSubscribe(t *testing.T, cfg sqlbus.Config) {
	t.Helper()
	tr, err := sqlbus.NewTransport(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	require.NoError(t, tr.Bind(t.Context(), sourceflow.Binding{Service: "billing"}))
	pub, err := tr.Publisher("orders")
	require.NoError(t, err)
	sub, err := tr.Subscriber("orders")
	require.NoError(t, err)
	t.Cleanup(func() { _ = sub.Close() })
	require.NoError(t, pub.Publish(sqlbus.Topic("orders"), message.NewMessage("1", []byte("{}"))))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	_, err = sub.Subscribe(ctx, sqlbus.Topic("orders"))
	require.NoError(t, err)
}

// With no Logger set (its default, watermill.NopLogger, drops every line)
// the warnings of a connection crossing a network in clear text and of a
// table whose created_at holds no time zone reach slog's default logger
// at Warn; with a Logger set, that logger receives them and
// slog's default logger nothing. It swaps the process's
// default logger: it must not run in parallel.
func TestTransportWarnsWithoutALoggerThroughSlogsDefault(t *testing.T) {
	const want = "sqlbus: the connection to postgres at 10.0.0.5:5432 is not encrypted"
	zoneless := "sqlbus: " + sqldb.ZonelessWarning("watermill_orders")
	link := func() *sqldbtest.DB {
		rows := sqldbtest.PostgresLink(false, "10.0.0.5", 5432)
		rows["pg_attribute"] = []driver.Value{"watermill_orders"} // the zoneless tables' lookup
		return &sqldbtest.DB{Rows: rows}
	}

	lines := sqldbtest.CaptureSlogDefault(t)
	publishAndSubscribe(t, sqlbus.Config{DB: link().Open(t), Dialect: sourceflow.Postgres})
	assert.Equal(t, 1, strings.Count(lines.String(), want), lines.String())
	assert.Contains(t, lines.String(), `level=WARN msg="`+want)
	assert.Contains(t, lines.String(), `level=WARN msg="sqlbus: table watermill_orders was created by an earlier release`)

	lines = sqldbtest.CaptureSlogDefault(t)
	logger := watermill.NewCaptureLogger()
	publishAndSubscribe(t, sqlbus.Config{DB: link().Open(t), Dialect: sourceflow.Postgres, Logger: logger})
	assert.NotContains(t, lines.String(), "sqlbus:")
	assert.True(t, logger.Has(watermill.CapturedMessage{Level: watermill.InfoLogLevel, Msg: zoneless,
		Fields: watermill.LogFields{"table": "watermill_orders"}}), "%v", logger.Captured())
	if got := plaintextWarnings(logger); assert.Len(t, got, 1) {
		assert.Contains(t, got[0], want)
	}
}
