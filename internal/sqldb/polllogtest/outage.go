package polllogtest

import (
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// failedPoll is what watermill-sql's subscriber logs of a failed poll.
const failedPoll = "Error querying for message"

// CheckOutageLog checks what logs captured of an outage of f, a PostgreSQL
// database a subscriber polls within t's synctest bubble (each poll takes
// an advisory lock): while the lock fails for ten minutes, the failed polls
// are logged once at once, then once a minute with the failures held back;
// once it is taken again, their end is logged once.
func CheckOutageLog(t *testing.T, f *sqldbtest.DB, logs *watermill.CaptureLoggerAdapter) {
	t.Helper()
	synctest.Wait()
	require.NotEmpty(t, f.Ran("pg_advisory_xact_lock"), "the subscriber polls")

	f.FailOn("pg_advisory_xact_lock", errors.New("dial tcp 127.0.0.1:5432: connect: connection refused"))
	time.Sleep(10*time.Minute + time.Second)
	synctest.Wait()
	failed := linesOf(logs, watermill.ErrorLogLevel, failedPoll)
	require.Len(t, failed, 11, "the first failed poll, then one line a minute")
	assert.Equal(t, "1m0s", failed[0].Fields["repeats_logged_every"])
	for _, line := range failed[1:] {
		assert.GreaterOrEqual(t, line.Fields["failed_attempts"], 30, "the line counts the failures held back")
	}
	assert.Equal(t, "10m0s", failed[10].Fields["failing_for"])

	f.FailOn("", nil)
	time.Sleep(5 * time.Second)
	synctest.Wait()
	cleared := linesOf(logs, watermill.InfoLogLevel, "cleared: "+failedPoll)
	require.Len(t, cleared, 1, "the database's return is logged once")
	assert.Greater(t, cleared[0].Fields["failed_attempts"], 300)
	assert.Len(t, linesOf(logs, watermill.ErrorLogLevel, failedPoll), 11)
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
