package repeatlog

import (
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
)

// Logger is a watermill.LoggerAdapter that passes every line to its inner
// logger, except Error lines repeating one message: of those, a Row per
// message passes the first at once, with the field
// "repeats_logged_every", then at most one per interval with the fields
// "failed_attempts" (the lines held back since the one before, plus this
// one) and "failing_for", and one whose error's text no recent line of
// the row gave at once, with the field "new_reason" too, at most one such
// per DefaultChangeInterval (Row.FailWith). Cleared ends the rows, logging at Info level
// that each message's condition cleared. The loggers With returns share
// its rows. It is safe for concurrent use.
type Logger struct {
	inner watermill.LoggerAdapter
	rows  *rows
}

// rows are the rows of a Logger and of the loggers its With returned.
type rows struct {
	interval time.Duration

	mu     sync.Mutex
	byMsg  map[string]*row
	failed bool // a row has failures
}

// row is the Row of one message, and the logger that logged its last
// failure, which logs its end (its fields name the failing part).
type row struct {
	Row
	logger watermill.LoggerAdapter
}

// NewLogger returns a Logger over inner whose repeated Error lines are
// logged at most once per interval.
func NewLogger(inner watermill.LoggerAdapter, interval time.Duration) *Logger {
	return &Logger{inner: inner, rows: &rows{interval: interval, byMsg: map[string]*row{}}}
}

// Error logs msg the first time in a row at once, then at most once per
// interval with the number of lines held back, and at once (at most once
// per DefaultChangeInterval) when err's text is new to the row.
func (l *Logger) Error(msg string, err error, fields watermill.LogFields) {
	f, ok := l.rows.fail(msg, reason(err), l.inner)
	if !ok {
		return
	}
	switch {
	case f.First:
		fields = fields.Add(watermill.LogFields{"repeats_logged_every": l.rows.interval.String()})
	case f.NewReason:
		fields = fields.Add(watermill.LogFields{"failed_attempts": f.Failures, "failing_for": f.FailingFor.String(),
			"new_reason": true})
	default:
		fields = fields.Add(watermill.LogFields{"failed_attempts": f.Failures, "failing_for": f.FailingFor.String()})
	}
	l.inner.Error(msg, err, fields)
}

// Info logs msg.
func (l *Logger) Info(msg string, fields watermill.LogFields) { l.inner.Info(msg, fields) }

// Debug logs msg.
func (l *Logger) Debug(msg string, fields watermill.LogFields) { l.inner.Debug(msg, fields) }

// Trace logs msg.
func (l *Logger) Trace(msg string, fields watermill.LogFields) { l.inner.Trace(msg, fields) }

// With returns a Logger adding fields to every line, sharing l's rows.
func (l *Logger) With(fields watermill.LogFields) watermill.LoggerAdapter {
	return &Logger{inner: l.inner.With(fields), rows: l.rows}
}

// Cleared says the condition the Error lines reported is over: for each
// message logged since the last Cleared, it logs at Info level "cleared: "
// and the message, with the fields "failed_attempts" and "failed_for", and
// drops its row, so the rows held are those of the messages logged since.
// Without such a message it costs a lock. A message is a row's key: give
// what varies from one line to the next (an id, an error's text) in the
// fields, not in the message.
func (l *Logger) Cleared() {
	now := time.Now()
	type end struct {
		msg      string
		logger   watermill.LoggerAdapter
		failures int
		lasted   time.Duration
	}
	var ends []end
	l.rows.mu.Lock()
	if l.rows.failed {
		for msg, r := range l.rows.byMsg {
			if failures, lasted, ok := r.End(now); ok {
				ends = append(ends, end{msg, r.logger, failures, lasted})
			}
		}
		clear(l.rows.byMsg) // a message of the next condition starts a new row
		l.rows.failed = false
	}
	l.rows.mu.Unlock()
	for _, e := range ends {
		e.logger.Info("cleared: "+e.msg, watermill.LogFields{"failed_attempts": e.failures, "failed_for": e.lasted.String()})
	}
}

// reason is the text of err, the reason of a failure; "" for nil.
func reason(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// fail counts a failure of msg for reason, logged through logger, and
// reports whether it is to be logged.
func (r *rows) fail(msg, reason string, logger watermill.LoggerAdapter) (Failure, bool) {
	now := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	ro := r.byMsg[msg]
	if ro == nil {
		ro = &row{Row: Row{Interval: r.interval}}
		r.byMsg[msg] = ro
	}
	ro.logger, r.failed = logger, true
	return ro.FailWith(now, reason)
}
