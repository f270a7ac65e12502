package sqlbus

import (
	"context"
	"fmt"
	"strings"

	"github.com/ThreeDotsLabs/watermill"
)

// closeLogger is the logger of watermill-sql's subscribers. A subscriber
// being closed cancels its query, which watermill-sql logs as an error;
// closeLogger logs those at debug level, so that a clean shutdown logs no
// error. Every other error passes through.
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
