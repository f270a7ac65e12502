package outbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
	"github.com/sourceflow-go/sourceflow/outbox"
)

// Closing the outbox cancels the forwarder's poll under way, which
// watermill-sql reports as a failed query: a clean Close logs it at debug
// level, not as an error.
func TestCloseLogsTheCanceledPollAtDebugLevel(t *testing.T) {
	f := &sqldbtest.DB{Hanging: make(chan string, 1)} // its polls find no row
	box := newFakeBox(t, f, sourceflow.Postgres, "")
	logs := watermill.NewCaptureLogger()
	outbox.SetLogger(box, logs)
	require.NoError(t, box.Bind(context.Background(), sourceflow.Binding{Service: "svc"}))
	f.HangOn("pg_advisory_xact_lock") // the lock each poll of the forwarder takes first
	select {
	case <-f.Hanging:
	case <-time.After(sqldbtest.HangBound):
		t.Fatalf("no poll began within %v", sqldbtest.HangBound)
	}

	require.NoError(t, sqldbtest.Within(t, "Close", box.Close))

	failedPoll := func(level watermill.LogLevel) bool {
		for _, m := range logs.Captured()[level] {
			if m.Msg == "Error querying for message" {
				return true
			}
		}
		return false
	}
	require.Eventually(t, func() bool { return failedPoll(watermill.DebugLogLevel) || failedPoll(watermill.ErrorLogLevel) },
		sqldbtest.HangBound, time.Millisecond, "the canceled poll is logged")
	assert.False(t, failedPoll(watermill.ErrorLogLevel), "a clean Close logs the canceled poll as no error")
	assert.Empty(t, logs.Captured()[watermill.ErrorLogLevel])
}
