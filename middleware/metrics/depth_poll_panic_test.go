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

// panickingDepths answers its first poll, panics in the second (a bug in
// the source) and holds the third until the test ends.
type panickingDepths struct {
	*callCounter
	release chan struct{}
}

func (p *panickingDepths) Depths(context.Context) ([]metrics.QueueDepth, error) {
	switch p.count() {
	case 1:
		return []metrics.QueueDepth{{Queue: "orders", Visible: 4}}, nil
	case 2:
		panic(&struct{ Card string }{Card: "4111111111111111"})
	}
	<-p.release
	return nil, errors.New("test over")
}

// A depth source that panics fails that poll, logged with its stack and
// the value described by its type only, and is polled again: the poller
// runs on a goroutine of its own, where the panic would end the process.
func TestDepthSourcePanicIsAFailedPoll(t *testing.T) {
	src := &panickingDepths{callCounter: newCallCounter(), release: make(chan struct{})}
	logs := &syncBuffer{}
	_, reader := recordingMetrics(t, metrics.Config{
		Depth: src, DepthInterval: time.Millisecond,
		Logger: watermill.NewSlogLogger(slog.New(slog.NewTextHandler(logs, nil))),
	})
	t.Cleanup(func() { close(src.release) }) // runs before the Metrics close

	src.waitCalls(t, 3)

	n, found := collect(t, reader).visible("orders")
	require.True(t, found, "the last depth is kept, as after a failed poll")
	assert.Equal(t, int64(4), n)
	assert.Contains(t, logs.String(), "the queue depth source panicked: a value of type *struct")
	assert.Contains(t, logs.String(), "stack=")
	assert.Contains(t, logs.String(), "panickingDepths", "the stack shows where")
	assert.NotContains(t, logs.String(), "4111111111111111")
}
