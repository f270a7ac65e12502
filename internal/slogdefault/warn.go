package slogdefault

import (
	"log/slog"

	"github.com/ThreeDotsLabs/watermill"
)

// warner is a watermill.LoggerAdapter with a warning level, which
// Watermill's interface lacks; the default Logger has one.
type warner interface {
	Warn(msg string, fields watermill.LogFields)
}

// Warn logs msg as a warning a program must see (a connection in clear
// text, state kept in memory, a table read wrong): through warnLogger's
// choice of logger, at slog's Warn on the default Logger (whose Info goes
// to slog's Debug, hidden at slog's default level), through a Warn(msg,
// fields) method on a logger that has one, and at Info on any other
// logger, whose Info is its level above Debug. Every warning of the
// module goes through it, so that none vanishes into a no-op logger.
func Warn(logger watermill.LoggerAdapter, msg string, fields watermill.LogFields) {
	logger = warnLogger(logger)
	if w, ok := logger.(warner); ok {
		w.Warn(msg, fields)
		return
	}
	logger.Info(msg, fields)
}

// warnLogger is the logger a warning goes to: logger as configured, or
// the default Logger when there is none or it is Watermill's no-op logger,
// the default Logger of several configs (sqlbus's, the SQL idempotency
// store's, awsbus's), which would drop it without a word. To silence the
// module's warnings, give a Logger of your own that drops them, or raise
// slog's level above Warn.
func warnLogger(logger watermill.LoggerAdapter) watermill.LoggerAdapter {
	switch logger.(type) {
	case nil, watermill.NopLogger, *watermill.NopLogger:
		return Logger()
	}
	return logger
}

// Warn writes msg at slog's Warn.
func (l slogDefaultLogger) Warn(msg string, fields watermill.LogFields) {
	l.log(slog.LevelWarn, msg, fields)
}
