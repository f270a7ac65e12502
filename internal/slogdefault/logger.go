package slogdefault

import (
	"context"
	"log/slog"
	"maps"
	"slices"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow"
)

// Logger is the Logger of a config that leaves it unset: it logs
// through slog.Default() as it is when a line is logged, so that a failure
// (a dead letter, a handler's error) reaches the program's log without any
// set-up, as peers' hosts do, even when the program sets slog's default
// logger after building its service.
//
// Watermill's Info goes to slog's Debug, so at slog's default level only
// errors pass: gochannel logs at Info for every message published to a
// destination nobody listens to ("No subscribers to send message"), and a
// router its every handler's start and stop; Watermill's own per-message
// lines are at its Trace level, below Debug.
func Logger() watermill.LoggerAdapter {
	return slogDefaultLogger{}
}

// slogDefaultLogger is a watermill.LoggerAdapter over slog.Default(). It
// asks slog's handler whether it takes a line's level before it builds the
// line's attributes (Watermill's own slog adapter builds them first, which
// costs allocations for every message at Trace and Debug, where slog's
// default level drops them).
type slogDefaultLogger struct {
	with []slog.Attr // the fields given to With, in key order
}

func (l slogDefaultLogger) Error(msg string, err error, fields watermill.LogFields) {
	l.log(slog.LevelError, msg, fields, slog.Any("error", err))
}

func (l slogDefaultLogger) Info(msg string, fields watermill.LogFields) {
	l.log(slog.LevelDebug, msg, fields)
}

func (l slogDefaultLogger) Debug(msg string, fields watermill.LogFields) {
	l.log(slog.LevelDebug, msg, fields)
}

func (l slogDefaultLogger) Trace(msg string, fields watermill.LogFields) {
	l.log(watermill.LevelTrace, msg, fields)
}

// With returns a logger adding fields to every line, after l's own.
func (l slogDefaultLogger) With(fields watermill.LogFields) watermill.LoggerAdapter {
	return slogDefaultLogger{with: appendAttrs(slices.Clip(l.with), fields)}
}

// log writes msg at level with l's fields, then fields, then extra, when
// slog.Default() takes that level.
func (l slogDefaultLogger) log(level slog.Level, msg string, fields watermill.LogFields, extra ...slog.Attr) {
	ctx := context.Background()
	logger := slog.Default()
	if !logger.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, len(l.with)+len(fields)+len(extra))
	attrs = append(appendAttrs(append(attrs, l.with...), fields), extra...)
	logger.LogAttrs(ctx, level, msg, attrs...)
}

// appendAttrs appends fields to attrs in key order, a message UUID
// Watermill logs as the sender chose it shown bounded (boundedUUID).
func appendAttrs(attrs []slog.Attr, fields watermill.LogFields) []slog.Attr {
	for _, key := range slices.Sorted(maps.Keys(fields)) {
		value := fields[key]
		if key == "message_uuid" {
			value = boundedUUID(value)
		}
		attrs = append(attrs, slog.Any(key, value))
	}
	return attrs
}

// maxShownUUIDLen is longer than any text sourceflow.IDText returns (at
// most MaxCorrelationIDLen bytes as escaped, then its cut mark "…(N
// bytes)"), so that a UUID our own lines already show through IDText is
// never escaped twice.
const maxShownUUIDLen = sourceflow.MaxCorrelationIDLen + 64

// boundedUUID is v, or, for a string longer than maxShownUUIDLen (a UUID
// Watermill's router logs at every failed delivery as the sender chose
// it), that string as sourceflow.IDText shows it: escaped and cut.
func boundedUUID(v any) any {
	if s, ok := v.(string); ok && len(s) > maxShownUUIDLen {
		return sourceflow.IDText(s)
	}
	return v
}
