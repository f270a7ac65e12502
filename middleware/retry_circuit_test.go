package middleware_test

import (
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware"
)

// A handler whose publish meets an open circuit runs once per delivery,
// however many retries the policy allows: its message is nacked and
// redelivered, and handled once the handler succeeds. gochannel hands every
// delivery a new copy of the message, so the copies tell deliveries apart.
func TestRetry_LeavesAnOpenCircuitToTheRedelivery(t *testing.T) {
	fake := newFlaky()
	fake.set("orders", errDown)
	_, out := newBreaker(t, middleware.CircuitBreakerConfig{ConsecutiveFailures: 1, OpenTimeout: time.Hour}, fake)
	require.ErrorIs(t, publish(out, "orders"), errDown, "the failure opens the circuit")

	logger := watermill.NopLogger{}
	ps := gochannel.NewGoChannel(gochannel.Config{BlockPublishUntilSubscriberAck: true}, logger)
	router, err := message.NewRouter(message.RouterConfig{}, logger)
	require.NoError(t, err)
	retry, err := middleware.NewRetry(middleware.RetryConfig{Policy: sourceflow.RetryPolicy{
		MaxRetries: 5, InitialInterval: time.Microsecond}})
	require.NoError(t, err)
	router.AddMiddleware(middleware.Recover, retry)
	var mu sync.Mutex
	var runs []*message.Message // the delivery of every run, in order
	router.AddConsumerHandler("h", "in", ps, func(msg *message.Message) error {
		mu.Lock()
		runs = append(runs, msg)
		n := len(runs)
		mu.Unlock()
		if n < 3 {
			return publish(out, "orders")
		}
		return nil
	})
	runRouter(t, router)

	require.NoError(t, ps.Publish("in", message.NewMessage("m", nil)))

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, runs, 3, "two failed deliveries, then the handled one")
	assert.NotSame(t, runs[0], runs[1], "the second run is a redelivery, not a retry")
	assert.NotSame(t, runs[1], runs[2], "the third run is a redelivery, not a retry")
	assert.Equal(t, 1, fake.count("orders"), "the open circuit never called the transport")
}
