package cqrs

import (
	"log/slog"

	"github.com/ThreeDotsLabs/watermill"
)

// defaultLogger is the Logger of a config that leaves it unset: Watermill's
// slog adapter over slog.Default() as it is when the config takes its
// defaults, so that a failure (a dead letter, a handler's error) reaches the
// program's log without any set-up, as peers' hosts do.
//
// Watermill logs each message at its Trace level and its router's start and
// stop at Info, so a router's Logger keeps the levels as they are. A
// transport's Logger has quiet set: its Pub/Sub logs per message at Info
// (gochannel's "No subscribers to send message" for each event nobody
// listens to), so Watermill's Info goes to slog's Debug there, and at
// slog's default level only errors pass.
func defaultLogger(quiet bool) watermill.LoggerAdapter {
	if !quiet {
		return watermill.NewSlogLogger(slog.Default())
	}
	return watermill.NewSlogLoggerWithLevelMapping(slog.Default(), map[slog.Level]slog.Level{slog.LevelInfo: slog.LevelDebug})
}
