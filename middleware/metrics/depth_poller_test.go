package metrics_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/middleware/metrics"
)

// depthStep is one answer of a scriptedDepths.
type depthStep struct {
	depths []metrics.QueueDepth
	err    error
}

// scriptedDepths answers its steps in order, then holds the next call until
// the test ends, so that once that call started every step's answer has
// been stored and nothing changes while the test collects.
type scriptedDepths struct {
	*callCounter
	steps   []depthStep
	release chan struct{}
}

// pollScript starts Metrics polling a scriptedDepths of steps, waits until
// every step was answered and stored, and returns the reader and the log.
func pollScript(t *testing.T, steps ...depthStep) (collected, *syncBuffer) {
	t.Helper()
	src := &scriptedDepths{callCounter: newCallCounter(), steps: steps, release: make(chan struct{})}
	logs := &syncBuffer{}
	_, reader := recordingMetrics(t, metrics.Config{
		Depth: src, DepthInterval: time.Millisecond,
		Logger: watermill.NewSlogLogger(slog.New(slog.NewTextHandler(logs, nil))),
	})
	t.Cleanup(func() { close(src.release) }) // runs before the Metrics close
	src.waitCalls(t, len(steps)+1)
	return collect(t, reader), logs
}

func (f *scriptedDepths) Depths(context.Context) ([]metrics.QueueDepth, error) {
	if n := f.count(); n <= len(f.steps) {
		return f.steps[n-1].depths, f.steps[n-1].err
	}
	<-f.release
	return nil, errors.New("test over")
}

// visible returns the visible depth of queue and whether it is reported.
func (c collected) visible(queue string) (int64, bool) {
	return c.sum(metrics.NameQueueDepth, attrs("messaging.destination.name", queue, "sourceflow.message.state", "visible"))
}

func TestDepthPollFailureKeepsLastDepthsAndLogs(t *testing.T) {
	down := depthStep{err: errors.New("AccessDenied")}
	got, logs := pollScript(t, depthStep{depths: []metrics.QueueDepth{{Queue: "orders", Visible: 4}}},
		down, down, down, down)

	n, found := got.visible("orders")
	require.True(t, found, "kept through four failed polls")
	assert.Equal(t, int64(4), n)
	assert.Contains(t, logs.String(), "AccessDenied")
}

// A source that cannot read one queue still answers with the others (the
// AWS and SQL sources do): their depths go on being reported as read.
func TestDepthPollPartialAnswerUpdatesTheQueuesItRead(t *testing.T) {
	got, logs := pollScript(t,
		depthStep{depths: []metrics.QueueDepth{{Queue: "orders", Visible: 5}, {Queue: "payments", Visible: 7}}},
		depthStep{depths: []metrics.QueueDepth{{Queue: "orders", Visible: 9}}, err: errors.New("payments: AccessDenied")})

	n, found := got.visible("orders")
	require.True(t, found)
	assert.Equal(t, int64(9), n, "the depth read by the failed poll is reported")
	n, found = got.visible("payments")
	require.True(t, found, "the queue it did not read keeps its last depth for now")
	assert.Equal(t, int64(7), n)
	assert.Contains(t, logs.String(), "payments: AccessDenied")
}

// A queue that keeps failing (deleted, or its permission revoked) stops
// being reported after five polls instead of showing its last depth forever.
func TestDepthOfAQueueNotReadForFivePollsIsNoLongerReported(t *testing.T) {
	partial := depthStep{depths: []metrics.QueueDepth{{Queue: "orders", Visible: 9}}, err: errors.New("payments: QueueDoesNotExist")}
	got, _ := pollScript(t,
		depthStep{depths: []metrics.QueueDepth{{Queue: "orders", Visible: 5}, {Queue: "payments", Visible: 7}}},
		partial, partial, partial, partial, partial)

	_, found := got.visible("payments")
	assert.False(t, found, "a queue no poll could read for five polls is not reported")
	n, found := got.visible("orders")
	require.True(t, found)
	assert.Equal(t, int64(9), n)
}

// While the source is down, the depths stop being reported after five
// failed polls: a frozen depth would hide the outage and the backlog.
func TestDepthsOfADownSourceAreNoLongerReported(t *testing.T) {
	down := depthStep{err: errors.New("dial tcp: connection refused")}
	got, _ := pollScript(t, depthStep{depths: []metrics.QueueDepth{{Queue: "orders", Visible: 4}}},
		down, down, down, down, down)

	assert.Zero(t, got.points(metrics.NameQueueDepth))
}
