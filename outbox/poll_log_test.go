package outbox_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
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
		synctest.Wait()
		require.NotEmpty(t, f.Ran("pg_advisory_xact_lock"), "the forwarder polls")

		f.FailOn("pg_advisory_xact_lock", errors.New("dial tcp 127.0.0.1:5432: connect: connection refused"))
		time.Sleep(10*time.Minute + time.Second)
		synctest.Wait()
		failed := linesOf(logs, watermill.ErrorLogLevel, "Error querying for message")
		require.Len(t, failed, 11, "the first failed poll, then one line a minute")
		assert.Equal(t, "1m0s", failed[0].Fields["repeats_logged_every"])
		for _, line := range failed[1:] {
			assert.GreaterOrEqual(t, line.Fields["failed_attempts"], 30, "the line counts the failures held back")
		}
		assert.Equal(t, "10m0s", failed[10].Fields["failing_for"])

		f.FailOn("", nil)
		time.Sleep(5 * time.Second)
		synctest.Wait()
		cleared := linesOf(logs, watermill.InfoLogLevel, "cleared: Error querying for message")
		require.Len(t, cleared, 1, "the database's return is logged once")
		assert.Greater(t, cleared[0].Fields["failed_attempts"], 300)
		assert.Len(t, linesOf(logs, watermill.ErrorLogLevel, "Error querying for message"), 11)
	})
}

// linesOf returns the lines logs captured at level whose message is msg.
func linesOf(logs *watermill.CaptureLoggerAdapter, level watermill.LogLevel, msg string) []watermill.CapturedMessage {
	var lines []watermill.CapturedMessage
	for _, m := range logs.Captured()[level] {
		if m.Msg == msg {
			lines = append(lines, m)
		}
	}
	return lines
}
