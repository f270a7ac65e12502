package cqrstest

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
)

// testLog is where a harness's logger writes: the test's log (t.Log) while
// the test runs, nothing once its cleanup ran, since a test's log may not
// be written after it ended.
type testLog struct {
	mu    sync.Mutex
	t     testing.TB
	ended bool
}

func newTestLog(t testing.TB) *testLog {
	l := &testLog{t: t}
	t.Cleanup(func() { // registered first, so it runs after every other cleanup of the harness
		l.mu.Lock()
		defer l.mu.Unlock()
		l.ended = true
	})
	return l
}

func (l *testLog) log(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.ended {
		l.t.Log(line)
	}
}

// testLogger is the Watermill logger of a harness's service and transport:
// errors (a handler's failure, a dead letter) go to the test's log, with
// their fields; the rest is dropped, as slog's default level drops it.
type testLogger struct {
	out    *testLog
	fields watermill.LogFields
}

func (l testLogger) Error(msg string, err error, fields watermill.LogFields) {
	all := l.fields.Add(fields)
	var b strings.Builder
	fmt.Fprintf(&b, "ERROR %s err=%q", msg, fmt.Sprint(err))
	for _, k := range slices.Sorted(maps.Keys(all)) {
		fmt.Fprintf(&b, " %s=%v", k, all[k])
	}
	l.out.log(b.String())
}

func (testLogger) Info(string, watermill.LogFields)  {}
func (testLogger) Debug(string, watermill.LogFields) {}
func (testLogger) Trace(string, watermill.LogFields) {}

func (l testLogger) With(fields watermill.LogFields) watermill.LoggerAdapter {
	return testLogger{out: l.out, fields: l.fields.Add(fields)}
}
