package sqldb

import (
	"context"
	"fmt"
	"strings"

	"github.com/ThreeDotsLabs/watermill"
)

// SubscriberLogger returns the logger to give watermill-sql's subscribers
// in place of l. A subscriber being closed cancels its query, which
// watermill-sql logs as an error; SubscriberLogger logs those at debug
// level, so that a clean shutdown logs no error. Every other error passes
// through to l.
func SubscriberLogger(l watermill.LoggerAdapter) watermill.LoggerAdapter {
	return closeLogger{l}
}

// closeLogger is SubscriberLogger's logger.
type closeLogger struct {
	watermill.LoggerAdapter
}

func (l closeLogger) Error(msg string, err error, fields watermill.LogFields) {
	if canceled(err) || canceled(fields["query_err"]) {
		l.Debug(msg, fields.Add(watermill.LogFields{"err": fmt.Sprint(err)}))
		return
	}
	l.LoggerAdapter.Error(msg, err, fields)
}

func (l closeLogger) With(fields watermill.LogFields) watermill.LoggerAdapter {
	return closeLogger{l.LoggerAdapter.With(fields)}
}

// canceled reports whether v is or reports a canceled context.
func canceled(v any) bool {
	if v == nil {
		return false
	}
	return strings.Contains(fmt.Sprint(v), context.Canceled.Error())
}
