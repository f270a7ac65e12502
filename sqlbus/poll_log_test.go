package sqlbus_test

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/polllogtest"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
	"github.com/sourceflow-go/sourceflow/sqlbus"
)

// While the database is down, a subscription's polls fail about once a
// second: their failure is logged through Config.Logger once at once, then
// at most once a minute with the number of failures held back, and the
// database's return once, instead of a line a second.
func TestADatabaseOutageLogsTheFailedPollsOncePerMinute(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &sqldbtest.DB{} // its polls find no row
		logs := watermill.NewCaptureLogger()
		tr, err := sqlbus.NewTransport(sqlbus.Config{DB: f.Open(t), Dialect: sourceflow.Postgres, Logger: logs})
		require.NoError(t, err)
		t.Cleanup(func() { _ = tr.Close() })
		require.NoError(t, tr.Bind(t.Context(), sourceflow.Binding{Service: "billing"}))
		sub, err := tr.Subscriber("orders")
		require.NoError(t, err)
		t.Cleanup(func() { _ = sub.Close() })
		ctx, cancel := context.WithCancel(t.Context())
		t.Cleanup(cancel)
		_, err = sub.Subscribe(ctx, sqlbus.Topic("orders"))
		require.NoError(t, err)
		polllogtest.CheckOutageLog(t, f, logs)
	})
}
