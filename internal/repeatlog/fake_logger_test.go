package repeatlog_test

import (
	"sync"

	"github.com/ThreeDotsLabs/watermill"
)

// line is a line fakeLogger took.
type line struct {
	level  string
	msg    string
	err    error
	fields watermill.LogFields
}

// fakeLogger records the lines it is given, with the fields of With.
type fakeLogger struct {
	with  watermill.LogFields
	mu    *sync.Mutex
	lines *[]line
}

func newFakeLogger() fakeLogger { return fakeLogger{mu: &sync.Mutex{}, lines: &[]line{}} }

func (l fakeLogger) log(level, msg string, err error, fields watermill.LogFields) {
	l.mu.Lock()
	defer l.mu.Unlock()
	*l.lines = append(*l.lines, line{level, msg, err, l.with.Add(fields)})
}

func (l fakeLogger) Error(msg string, err error, fields watermill.LogFields) {
	l.log("error", msg, err, fields)
}
func (l fakeLogger) Info(msg string, fields watermill.LogFields)  { l.log("info", msg, nil, fields) }
func (l fakeLogger) Debug(msg string, fields watermill.LogFields) { l.log("debug", msg, nil, fields) }
func (l fakeLogger) Trace(msg string, fields watermill.LogFields) { l.log("trace", msg, nil, fields) }

func (l fakeLogger) With(fields watermill.LogFields) watermill.LoggerAdapter {
	return fakeLogger{with: l.with.Add(fields), mu: l.mu, lines: l.lines}
}

// at returns the lines taken at level whose message is msg.
func (l fakeLogger) at(level, msg string) []line {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []line
	for _, ln := range *l.lines {
		if ln.level == level && ln.msg == msg {
			out = append(out, ln)
		}
	}
	return out
}
