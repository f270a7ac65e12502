package slogdefault

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
)

// Warn reaches slog's default level on the default Logger, whose Info
// slog's default level hides, and falls back to Info on a logger without
// a Warn method.
func TestWarnWritesAtSlogsWarnOrAtInfo(t *testing.T) {
	var buf bytes.Buffer
	useSlogDefault(t, slog.New(slog.NewTextHandler(&buf, nil)))
	Warn(Logger().With(watermill.LogFields{"service": "orders"}), "state in memory", watermill.LogFields{"stores": "EntityStore"})
	assert.Contains(t, buf.String(), `level=WARN msg="state in memory" service=orders stores=EntityStore`)

	capture := watermill.NewCaptureLogger()
	Warn(capture, "state in memory", watermill.LogFields{})
	assert.True(t, capture.Has(watermill.CapturedMessage{Level: watermill.InfoLogLevel, Fields: watermill.LogFields{}, Msg: "state in memory"}), "%v", capture.Captured())
}

// warnCapture is a logger of another package with a Warn method.
type warnCapture struct {
	*watermill.CaptureLoggerAdapter
	warned []string
}

func (w *warnCapture) Warn(msg string, _ watermill.LogFields) { w.warned = append(w.warned, msg) }

// Warn goes through the Warn method of any logger that has one, not only
// the default Logger's.
func TestWarnUsesTheWarnMethodOfAnyLogger(t *testing.T) {
	logger := &warnCapture{CaptureLoggerAdapter: watermill.NewCaptureLogger()}
	Warn(logger, "state in memory", watermill.LogFields{})
	assert.Equal(t, []string{"state in memory"}, logger.warned)
	assert.Empty(t, logger.Captured()[watermill.InfoLogLevel])
}

// A warning given Watermill's no-op logger (the default Logger of sqlbus,
// of the SQL idempotency store and of awsbus) or none reaches slog's
// default logger at Warn instead of vanishing.
func TestWarnOnTheNoOpLoggerOrNoneReachesSlogsDefault(t *testing.T) {
	for _, logger := range []watermill.LoggerAdapter{nil, watermill.NopLogger{}, &watermill.NopLogger{}, watermill.NopLogger{}.With(watermill.LogFields{"a": 1})} {
		var buf bytes.Buffer
		useSlogDefault(t, slog.New(slog.NewTextHandler(&buf, nil)))
		Warn(logger, "not encrypted", watermill.LogFields{"address": "db1:3306"})
		assert.Contains(t, buf.String(), `level=WARN msg="not encrypted" address=db1:3306`, "%T", logger)
	}
}
