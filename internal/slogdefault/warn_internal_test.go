package slogdefault

import (
	"bytes"
	"log/slog"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
)

// Warn reaches slog's default level on the default Logger, whose Info
// slog's default level hides, and falls back to Info on another logger.
func TestWarnWritesAtSlogsWarnOrAtInfo(t *testing.T) {
	var buf bytes.Buffer
	useSlogDefault(t, slog.New(slog.NewTextHandler(&buf, nil)))
	Warn(Logger().With(watermill.LogFields{"service": "orders"}), "state in memory", watermill.LogFields{"stores": "EntityStore"})
	assert.Contains(t, buf.String(), `level=WARN msg="state in memory" service=orders stores=EntityStore`)

	capture := watermill.NewCaptureLogger()
	Warn(capture, "state in memory", watermill.LogFields{})
	assert.True(t, capture.Has(watermill.CapturedMessage{Level: watermill.InfoLogLevel, Fields: watermill.LogFields{}, Msg: "state in memory"}), "%v", capture.Captured())
}
