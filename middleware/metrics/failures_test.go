package metrics_test

import (
	"context"
	"errors"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/middleware"
	"github.com/sourceflow-go/sourceflow/middleware/metrics"
)

// The in-process and Pub/Sub transports are dead-letter sources as they
// are (awsbus's Transport is checked in its own package's tests).
var _ = []metrics.DeadLetterSource{(*cqrs.ChannelTransport)(nil), (*cqrs.PubSubTransport)(nil)}

// Dead letters are summed per destination over the sources and exported
// with the destination's name only.
func TestObservedDeadLetters(t *testing.T) {
	_, reader := recordingMetrics(t, metrics.Config{DeadLetters: []metrics.DeadLetterSource{
		metrics.DeadLettersFunc(func() map[string]int64 { return map[string]int64{"orders.fifo": 3, "order-events": 1} }),
		metrics.DeadLettersFunc(func() map[string]int64 { return map[string]int64{"orders.fifo": 2} }),
		metrics.DeadLettersFunc(func() map[string]int64 { return nil }),
	}})
	got := collect(t, reader)
	assert.Equal(t, "{message}", got[metrics.NameDeadLetters].Unit)
	assert.Equal(t, 2, got.points(metrics.NameDeadLetters))
	for dest, want := range map[string]int64{"orders.fifo": 5, "order-events": 1} {
		n, found := got.sum(metrics.NameDeadLetters, attrs("messaging.destination.name", dest))
		assert.True(t, found, dest)
		assert.Equal(t, want, n, dest)
	}
}

// The retry middleware's retries and give-ups are two counters, summed over
// the sources, without attributes.
func TestObservedHandlerRetries(t *testing.T) {
	_, reader := recordingMetrics(t, metrics.Config{HandlerRetries: []metrics.HandlerRetrySource{
		metrics.HandlerRetriesFunc(func() (int64, int64) { return 7, 2 }),
		metrics.HandlerRetriesFunc(func() (int64, int64) { return 3, 0 }),
	}})
	got := collect(t, reader)
	for name, want := range map[string]int64{metrics.NameHandlerRetries: 10, metrics.NameHandlerGiveUps: 2} {
		n, found := got.sum(name, attrs())
		assert.True(t, found, name)
		assert.Equal(t, want, n, name)
	}
	assert.Equal(t, "{retry}", got[metrics.NameHandlerRetries].Unit)
	assert.Equal(t, "{message}", got[metrics.NameHandlerGiveUps].Unit)
}

// A Retrier's Stats feed the retry counters through HandlerRetriesFunc.
func TestObservedRetrierStats(t *testing.T) {
	r, err := middleware.NewRetrier(middleware.RetryConfig{})
	require.NoError(t, err)
	_, reader := recordingMetrics(t, metrics.Config{HandlerRetries: []metrics.HandlerRetrySource{
		metrics.HandlerRetriesFunc(func() (int64, int64) { s := r.Stats(); return s.Retries, s.GaveUp }),
	}})
	msg := message.NewMessage("1", nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the delivery is taken back: no retry, a give-up
	msg.SetContext(ctx)
	_, err = r.Middleware(func(*message.Message) ([]*message.Message, error) { return nil, errors.New("down") })(msg)
	require.ErrorIs(t, err, middleware.ErrRetryStopped)

	got := collect(t, reader)
	n, found := got.sum(metrics.NameHandlerGiveUps, attrs())
	assert.True(t, found)
	assert.Equal(t, int64(1), n)
	n, _ = got.sum(metrics.NameHandlerRetries, attrs())
	assert.Zero(t, n)
}
