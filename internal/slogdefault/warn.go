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

// Warn logs msg as a warning: at slog's Warn on the default Logger (whose
// Info goes to slog's Debug, hidden at slog's default level), through a
// Warn(msg, fields) method on a logger that has one, and at Info on any
// other logger, whose Info is its level above Debug.
func Warn(logger watermill.LoggerAdapter, msg string, fields watermill.LogFields) {
	if w, ok := logger.(warner); ok {
		w.Warn(msg, fields)
		return
	}
	logger.Info(msg, fields)
}

// Warn writes msg at slog's Warn.
func (l slogDefaultLogger) Warn(msg string, fields watermill.LogFields) {
	l.log(slog.LevelWarn, msg, fields)
}
