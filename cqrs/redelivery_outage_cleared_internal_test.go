package cqrs

import (
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An outage whose Error line is logged (a minute after the last one) must
// have its end logged too, even when the previous outage's "cleared" line
// was less than a minute ago: otherwise the log's last word is that the
// store is unavailable, for good.
func TestStoreOutageLogClearsAnOutageItLogged(t *testing.T) {
	logs := watermill.NewCaptureLogger()
	l := newStoreOutageLog(logs)
	now := time.Now()
	l.loggedAt = now.Add(-90 * time.Second)  // the last outage: logged 90s ago,
	l.clearedAt = now.Add(-30 * time.Second) // its end 30s ago

	l.failed(watermill.LogFields{}) // a new outage: a minute past the last Error line
	require.Len(t, logs.Captured()[watermill.ErrorLogLevel], 1, "the new outage is logged")
	l.cleared()
	assert.Len(t, logs.Captured()[watermill.InfoLogLevel], 1, "the end of the outage logged is logged")
}
