package outbox

import (
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

// slowInfoLogger is a capture logger whose Info lines take a while to be
// written, as any logger's may on a loaded machine.
type slowInfoLogger struct {
	*watermill.CaptureLoggerAdapter
}

func (l slowInfoLogger) Info(msg string, fields watermill.LogFields) {
	time.Sleep(100 * time.Millisecond)
	l.CaptureLoggerAdapter.Info(msg, fields)
}

// TestTheAbandonedEndIsLoggedWhenTheDestinationIsFree: the end of an
// abandoned publish is logged before its destination is freed, so a test
// (or an operator) that sees the destination free finds the line, even
// with a logger that takes 100ms to write it.
func TestTheAbandonedEndIsLoggedWhenTheDestinationIsFree(t *testing.T) {
	setBound(t, 50*time.Millisecond, 20*time.Millisecond)
	logs := watermill.NewCaptureLogger()
	r, deaf := newDeafRelay(t, slowInfoLogger{logs}, "hung")
	err := sqldbtest.Within(t, "a publish that ignores its context", func() error {
		return r.Publish("hung", message.NewMessage("m-1", nil))
	})
	require.Error(t, err)
	deaf.unblock()
	require.Eventually(t, func() bool { _, running := r.calls.running("hung"); return !running },
		sqldbtest.HangBound, time.Millisecond, "the abandoned publish returned")
	assert.Len(t, logs.Captured()[watermill.InfoLogLevel], 1, "the abandoned publish's end is logged by the time its destination is free")
}
