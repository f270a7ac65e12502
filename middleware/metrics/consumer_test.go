package metrics_test

import (
	"context"
	"errors"
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
	"github.com/sourceflow-go/sourceflow/middleware/metrics"
)

// TestMiddlewareCountsEveryOutcome runs N messages through a gochannel
// router: most succeed, one fails once (and is redelivered), one is acked
// as a duplicate by an inner phase. Every delivery is counted once as
// received and once as processed with its outcome.
func TestMiddlewareCountsEveryOutcome(t *testing.T) {
	const ok = 5
	m, reader := recordingMetrics(t, metrics.Config{}) // the default IsDuplicate reads sourceflow.MetaDuplicate
	logger := watermill.NopLogger{}
	pubSub := gochannel.NewGoChannel(gochannel.Config{}, logger)
	t.Cleanup(func() { _ = pubSub.Close() })
	router, err := message.NewRouter(message.RouterConfig{}, logger)
	require.NoError(t, err)
	var wg sync.WaitGroup
	wg.Add(ok + 2) // successes, the retried message's success, the duplicate
	router.AddMiddleware(m.Middleware, fakeIdempotency(&wg))
	var mu sync.Mutex
	failedOnce := false
	router.AddConsumerHandler("orders-handler", "orders", pubSub, func(msg *message.Message) error {
		mu.Lock()
		defer mu.Unlock()
		if msg.Metadata.Get(sourceflow.MetaType) == "orders.Flaky" && !failedOnce {
			failedOnce = true
			return errors.New("database unavailable")
		}
		wg.Done()
		return nil
	})
	runRouter(t, router)

	for range ok {
		require.NoError(t, pubSub.Publish("orders", typed("orders.CreateOrder")))
	}
	require.NoError(t, pubSub.Publish("orders", typed("orders.Flaky")))
	dup := typed("orders.CreateOrder")
	dup.Metadata.Set(wantDuplicate, "true")
	require.NoError(t, pubSub.Publish("orders", dup))
	waitGroup(t, &wg)
	require.NoError(t, router.Close())

	assertOutcomes(t, collect(t, reader), ok)
}

// assertOutcomes checks the counts TestMiddlewareCountsEveryOutcome expects
// after ok successes, one failed-then-redelivered message and one duplicate.
func assertOutcomes(t *testing.T, got collected, ok int64) {
	t.Helper()
	create := []string{"sourceflow.type", "orders.CreateOrder", "messaging.destination.name", "orders"}
	flaky := []string{"sourceflow.type", "orders.Flaky", "messaging.destination.name", "orders"}
	outcome := func(base []string, kv ...string) []string { return append(append([]string{}, base...), kv...) }
	tests := []struct {
		name string
		attr []string
		want int64
	}{
		{metrics.NameMessageReceived, create, ok + 1},
		{metrics.NameMessageReceived, flaky, 2},
		{metrics.NameMessageProcessed, outcome(create, "sourceflow.outcome", "success"), ok},
		{metrics.NameMessageProcessed, outcome(create, "sourceflow.outcome", "duplicate"), 1},
		{metrics.NameMessageProcessed, outcome(flaky, "sourceflow.outcome", "success"), 1},
		{metrics.NameMessageProcessed, outcome(flaky, "sourceflow.outcome", "error", "error.type", "transient"), 1},
	}
	for _, tc := range tests {
		n, found := got.sum(tc.name, attrs(tc.attr...))
		assert.True(t, found, "%s %v", tc.name, tc.attr)
		assert.Equal(t, tc.want, n, "%s %v", tc.name, tc.attr)
	}
	count, _ := got.histogramCount(metrics.NameMessageProcessingDuration,
		attrs(outcome(create, "sourceflow.outcome", "success")...))
	assert.Equal(t, uint64(ok), count)
	assert.Equal(t, 4, got.points(metrics.NameMessageProcessed), "no other attribute sets")
}

func TestMiddlewareMarksPermanentErrors(t *testing.T) {
	m, reader := recordingMetrics(t, metrics.Config{})
	bad := sourceflow.Permanent(errors.New("unknown type"))

	_, err := m.Middleware(func(*message.Message) ([]*message.Message, error) { return nil, bad })(typed("orders.X"))

	require.ErrorIs(t, err, sourceflow.ErrPermanent, "the error is returned unchanged")
	n, found := collect(t, reader).sum(metrics.NameMessageProcessed, attrs(
		"sourceflow.type", "orders.X", "messaging.destination.name", "",
		"sourceflow.outcome", "error", "error.type", "permanent"))
	require.True(t, found)
	assert.Equal(t, int64(1), n)
}

func TestMiddlewareDefaultIsNoop(t *testing.T) {
	m, err := metrics.New(metrics.Config{})
	require.NoError(t, err)
	want := []*message.Message{typed("orders.Out")}

	got, err := m.Middleware(func(*message.Message) ([]*message.Message, error) { return want, nil })(typed("orders.In"))

	require.NoError(t, err)
	assert.Equal(t, want, got, "produced messages pass through")
	require.NoError(t, m.Close())
}

// wantDuplicate asks fakeIdempotency to treat a message as a duplicate.
const wantDuplicate = "test_want_duplicate"

// fakeIdempotency acks messages carrying wantDuplicate without running the
// handler and marks them sourceflow.MetaDuplicate, as the idempotency phase
// does, and marks them done on wg.
func fakeIdempotency(wg *sync.WaitGroup) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			if msg.Metadata.Get(wantDuplicate) == "true" {
				msg.Metadata.Set(sourceflow.MetaDuplicate, "true")
				wg.Done()
				return nil, nil
			}
			return h(msg)
		}
	}
}

func runRouter(t *testing.T, router *message.Router) {
	t.Helper()
	go func() { _ = router.Run(context.Background()) }()
	t.Cleanup(func() { _ = router.Close() })
	select {
	case <-router.Running():
	case <-time.After(10 * time.Second):
		t.Fatal("router did not start")
	}
}

func waitGroup(t *testing.T, wg *sync.WaitGroup) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("messages were not handled")
	}
}

// A handler that panics under the middleware (Recover outside it) is
// counted as processed with a transient error, as Recover reports it.
func TestMiddlewareCountsAPanicAsATransientError(t *testing.T) {
	m, reader := recordingMetrics(t, metrics.Config{})
	panicking := m.Middleware(func(*message.Message) ([]*message.Message, error) { panic("nil map") })

	_, err := middleware.Recover(panicking)(typed("orders.X"))

	var pe *sourceflow.PanicError
	require.ErrorAs(t, err, &pe)
	assert.Contains(t, string(pe.Stack), "TestMiddlewareCountsAPanicAsATransientError.func1", "the stack shows where the handler panicked")
	n, found := collect(t, reader).sum(metrics.NameMessageProcessed, attrs(
		"sourceflow.type", "orders.X", "messaging.destination.name", "",
		"sourceflow.outcome", "error", "error.type", "transient"))
	require.True(t, found, "a panic is counted")
	assert.Equal(t, int64(1), n)
}

// A panic whose value is a permanent error is counted as permanent, as
// Recover reports it.
func TestMiddlewareCountsAPermanentPanicAsPermanent(t *testing.T) {
	m, reader := recordingMetrics(t, metrics.Config{})
	panicking := m.Middleware(func(*message.Message) ([]*message.Message, error) {
		panic(sourceflow.Permanent(errors.New("poison")))
	})

	_, err := middleware.Recover(panicking)(typed("orders.X"))

	require.True(t, sourceflow.IsPermanent(err), "Recover reports the panic as permanent")
	n, found := collect(t, reader).sum(metrics.NameMessageProcessed, attrs(
		"sourceflow.type", "orders.X", "messaging.destination.name", "",
		"sourceflow.outcome", "error", "error.type", "permanent"))
	require.True(t, found)
	assert.Equal(t, int64(1), n)
}

// A panic in Config.IsDuplicate, after the handler returned, is counted as
// a transient error too.
func TestMiddlewareCountsAPanicInIsDuplicate(t *testing.T) {
	m, reader := recordingMetrics(t, metrics.Config{IsDuplicate: func(*message.Message) bool { panic("lookup failed") }})
	h := m.Middleware(func(*message.Message) ([]*message.Message, error) { return nil, nil })

	_, err := middleware.Recover(h)(typed("orders.X"))

	require.Error(t, err)
	n, found := collect(t, reader).sum(metrics.NameMessageProcessed, attrs(
		"sourceflow.type", "orders.X", "messaging.destination.name", "",
		"sourceflow.outcome", "error", "error.type", "transient"))
	require.True(t, found, "the panic is counted as a transient error")
	assert.Equal(t, int64(1), n)
}
