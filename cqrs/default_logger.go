package cqrs

import (
	"log/slog"

	"github.com/ThreeDotsLabs/watermill"
)

// defaultLogger is the Logger of a config that leaves it unset: Watermill's
// slog adapter over slog.Default() as it is when the config takes its
// defaults, so that a failure (a dead letter, a handler's error) reaches
// the program's log without any set-up, as peers' hosts do.
//
// Watermill's Info goes to slog's Debug, so at slog's default level only
// errors pass: gochannel logs at Info for every message published to a
// destination nobody listens to ("No subscribers to send message"), and a
// router its every handler's start and stop; Watermill's own per-message
// lines are at its Trace level, below Debug.
func defaultLogger() watermill.LoggerAdapter {
	return watermill.NewSlogLoggerWithLevelMapping(slog.Default(), map[slog.Level]slog.Level{slog.LevelInfo: slog.LevelDebug})
}
