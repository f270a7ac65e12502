package cqrstest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	sourceflow "github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
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
	h := cqrstest.New(lt, cqrs.ServiceConfig{Name: "refunds", Listen: []string{"refunds"}})
	h.Must(cqrs.RegisterCommand[refundOrder](h.Service, "test.RefundOrder", "refunds"))
	h.Must(cqrs.Handle(cqrs.NewSaga[refund](h.Service, "refund"), func(context.Context, *refund, refundOrder, cqrs.Envelope) ([]any, error) {
		return nil, sourceflow.Permanent(errors.New("refund exceeds the order"))
	}))
	h.Start()
	_, err := cqrs.NewAggregate(h.Service, "refund").Send(context.Background(), "o1", refundOrder{Amount: 5})
	require.NoError(t, err)
	require.Equal(t, 1, h.Transport.DeadLetterCount())
	logged := lt.logged()
	assert.Contains(t, logged, "ERROR Message dead-lettered")
	assert.Contains(t, logged, "refund exceeds the order")
	assert.Contains(t, logged, "destination=refunds")
}
