package slogdefault

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
)

// useSlogDefault makes l slog.Default() until the test ends. It swaps the
// process's default logger: a test using it must not run in parallel.
func useSlogDefault(t *testing.T, l *slog.Logger) {
	t.Helper()
	previous := slog.Default()
	slog.SetDefault(l)
	t.Cleanup(func() { slog.SetDefault(previous) })
}

// The default Logger builds nothing for a line slog.Default() drops:
// Watermill's router and gochannel log at Trace and Debug for every
// message, and at Info for every event nobody listens to.
func TestDefaultLoggerAllocatesNothingForALineSlogDrops(t *testing.T) {
	useSlogDefault(t, slog.New(slog.NewTextHandler(io.Discard, nil)))
	logger := Logger().With(watermill.LogFields{"subscriber_name": "orders"})
	fields := watermill.LogFields{"message_uuid": "m-1", "handler_name": "orders"}

	allocs := testing.AllocsPerRun(100, func() {
		logger.Trace("Received message", fields)
		logger.Debug("Waiting for subscribers ack", fields)
		logger.Info("No subscribers to send message", fields)
	})

	assert.Zero(t, allocs)
}

// The default Logger writes an error at slog's Error with its fields, the
// ones given to With included, and Watermill's Info at slog's Debug.
func TestDefaultLoggerWritesErrorsAndLowersInfoToDebug(t *testing.T) {
	var buf bytes.Buffer
	useSlogDefault(t, slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	logger := Logger().With(watermill.LogFields{"topic": "orders"})

	logger.Error("Message dead-lettered", io.ErrUnexpectedEOF, watermill.LogFields{"deliveries": 8})
	logger.Info("Starting handler", nil)
	logger.Trace("Received message", nil)

	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	if assert.Len(t, lines, 2, buf.String()) {
		assert.Contains(t, string(lines[0]), `level=ERROR msg="Message dead-lettered" topic=orders deliveries=8 error="unexpected EOF"`)
		assert.Contains(t, string(lines[1]), `level=DEBUG msg="Starting handler" topic=orders`)
	}
}

// Watermill's router logs the sender-chosen message UUID of a failing
// message, at every delivery, under message_uuid as it came: the default
// Logger shows one longer than any sourceflow.IDText shows as IDText
// shows it, cut, and leaves a shorter one (an ordinary UUID, or one our
// own lines already show through IDText) as it is.
func TestDefaultLoggerBoundsAMessageUUIDWatermillLogsRaw(t *testing.T) {
	var out bytes.Buffer
	useSlogDefault(t, slog.New(slog.NewTextHandler(&out, nil)))
	huge := strings.Repeat("x", 100_000)

	Logger().Error("Handler returned error", errors.New("boom"), watermill.LogFields{"message_uuid": huge})
	Logger().Error("Message dead-lettered", errors.New("boom"), watermill.LogFields{"message_uuid": "m-1"})

	assert.Less(t, out.Len(), 1024, "a 100,000-byte message UUID is cut")
	assert.Contains(t, out.String(), "…(100000 bytes)")
	assert.Contains(t, out.String(), "message_uuid=m-1 ")
}
