package cqrstest_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loggedTB is a test whose log lines are kept.
type loggedTB struct {
	testing.TB
	mu    sync.Mutex
	lines []string
}

func (l *loggedTB) Log(args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprint(args...))
}

func (l *loggedTB) logged() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// A harness logs its service's and transport's errors to the test's log,
// where they are attributed to the test, not to the program's stderr.
func TestHarnessLogsToTheTestsLog(t *testing.T) {
	lt := &loggedTB{TB: t}
	h := refundRejected(t, lt, nil)
	require.Equal(t, 1, h.Transport.DeadLetterCount())
	logged := lt.logged()
	assert.Contains(t, logged, "ERROR Message dead-lettered")
	assert.Contains(t, logged, "refund exceeds the order")
	assert.Contains(t, logged, "destination=refunds")
}
