package outbox_test

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/polllogtest"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// While the outbox's database is down, the forwarder's polls fail about
// once a second: their failure is logged once at once, then at most once a
// minute with the number of failures held back, and the database's return
// once, instead of a line a second.
func TestADatabaseOutageLogsTheFailedPollsOncePerMinute(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &sqldbtest.DB{} // its polls find no row
		box := newFakeBox(t, f, sourceflow.Postgres, "")
		logs := watermill.NewCaptureLogger()
		outbox.SetLogger(box, logs)
		require.NoError(t, box.Bind(context.Background(), sourceflow.Binding{Service: "svc"}))
		t.Cleanup(func() { _ = box.Close() })
		polllogtest.CheckOutageLog(t, f, logs)
	})
}
