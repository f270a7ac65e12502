package cqrs_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

type fifoStep struct{ N int }

// fifoApp is a service on an asynchronous ChannelTransport whose "counter"
// saga handles fifoStep on the ordered destination "steps.fifo", recording
// each delivery's N in the order its handler ran.
type fifoApp struct {
	tr   *cqrs.ChannelTransport
	agg  *cqrs.Aggregate
	mu   sync.Mutex
	seen []int
	done chan struct{} // closed once want deliveries ran
}

// newFifoApp starts the service; step runs in the handler after the
// delivery was recorded, and its error fails the delivery.
func newFifoApp(t *testing.T, want int, step func(ctx context.Context, app *fifoApp, entityID string, n int) error) *fifoApp {
	t.Helper()
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true, RedeliveryDelay: time.Millisecond})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "counter", Transport: tr, Listen: []string{"steps.fifo"}})
	require.NoError(t, err)
	app := &fifoApp{tr: tr, agg: cqrs.NewAggregate(svc, "counter"), done: make(chan struct{})}
	require.NoError(t, errors.Join(
		cqrs.RegisterCommand[fifoStep](svc, "counter.Step", "steps.fifo"),
		cqrs.Handle(cqrs.NewSaga[fifoStep](svc, "counter"), func(ctx context.Context, _ *fifoStep, c fifoStep, env cqrs.Envelope) ([]any, error) {
			app.record(c.N, want)
			return nil, step(ctx, app, env.EntityID, c.N)
		}),
	))
	require.NoError(t, svc.Start(context.Background()))
	t.Cleanup(func() { _ = svc.Close() })
	return app
}

func (app *fifoApp) record(n, want int) {
	app.mu.Lock()
	defer app.mu.Unlock()
	app.seen = append(app.seen, n)
	if len(app.seen) == want {
		close(app.done)
	}
}

// wait waits for the deliveries the app wants and returns them in order.
func (app *fifoApp) wait(t *testing.T) []int {
	t.Helper()
	select {
	case <-app.done:
	case <-time.After(20 * time.Second):
		t.Fatal("the deliveries did not all run")
	}
	app.mu.Lock()
	defer app.mu.Unlock()
	return append([]int(nil), app.seen...)
}

// inversions counts the pairs of deliveries handled in the opposite order.
func inversions(seen []int) int {
	n := 0
	for i := range seen {
		for _, later := range seen[i+1:] {
			if later < seen[i] {
				n++
			}
		}
	}
	return n
}

// On an asynchronous ChannelTransport, the commands one goroutine sends in
// sequence for one entity to a ".fifo" destination are handled in the order
// they were sent.
func TestChannelAsyncFIFOHandlesAnEntitysCommandsInSendOrder(t *testing.T) {
	const sends = 300
	app := newFifoApp(t, sends, func(context.Context, *fifoApp, string, int) error { return nil })

	want := make([]int, sends)
	for i := range sends {
		want[i] = i
		_, err := app.agg.Send(context.Background(), "c-1", fifoStep{N: i})
		require.NoError(t, err)
	}

	seen := app.wait(t)
	require.Zero(t, inversions(seen), "inversions")
	assert.Equal(t, want, seen)
}

// A failing delivery on an asynchronous ".fifo" destination holds back the
// messages behind it: it is redelivered before the next one is handled.
func TestChannelAsyncFIFORedeliversAFailureBeforeTheNextMessage(t *testing.T) {
	const sends, failing = 100, 40
	var once sync.Once
	app := newFifoApp(t, sends+1, func(_ context.Context, _ *fifoApp, _ string, n int) error {
		var err error
		if n == failing {
			once.Do(func() { err = errors.New("not yet") })
		}
		return err
	})

	var want []int
	for i := range sends {
		want = append(want, i)
		if i == failing {
			want = append(want, i) // its redelivery
		}
		_, err := app.agg.Send(context.Background(), "c-1", fifoStep{N: i})
		require.NoError(t, err)
	}

	assert.Equal(t, want, app.wait(t))
	assert.Empty(t, app.tr.DeadLetters())
}

// A handler on an asynchronous ".fifo" destination that sends to that same
// destination, holding its entity's lock, does not wait for the handling of
// what it sends: each follow-up is handled after the handler returned.
func TestChannelAsyncFIFOHandlerSendingToItsOwnDestinationGoesOn(t *testing.T) {
	const steps = 50
	app := newFifoApp(t, steps, func(ctx context.Context, app *fifoApp, entityID string, n int) error {
		if n+1 == steps {
			return nil
		}
		_, err := app.agg.Send(ctx, entityID, fifoStep{N: n + 1})
		return err
	})

	_, err := app.agg.Send(context.Background(), "c-1", fifoStep{N: 0})
	require.NoError(t, err)

	seen := app.wait(t)
	require.Len(t, seen, steps)
	assert.Zero(t, inversions(seen))
}

// What is still queued for an asynchronous ".fifo" destination when the
// transport closes is dead-lettered, once, with the reason: its publish
// returned nil, so nothing else would tell. The subscription that was in
// place when it was queued, closing with the transport, may dead-letter it
// first (see awaited), or its publish fails at its turn.
func TestChannelAsyncFIFOQueuedAtCloseIsDeadLettered(t *testing.T) {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
	require.NoError(t, err)
	handling, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	router, pub := routerTo(t, tr, "loop.fifo", func(*message.Message) error {
		once.Do(func() {
			close(handling)
			<-release // the first message holds the destination
		})
		return nil
	})

	require.NoError(t, pub.Publish("loop.fifo", message.NewMessage("first", nil)))
	<-handling
	queued := []string{"second", "third"}
	for _, id := range queued {
		require.NoError(t, pub.Publish("loop.fifo", message.NewMessage(id, nil)), "a publish does not wait for the one under way")
	}
	require.NoError(t, tr.Close())
	close(release)

	// The hand-over dead-letters a queued message as Close runs, or leaves
	// it to the subscription that awaits it, which does so once the handler
	// it is waiting on returns, after Close returned: closing the router
	// waits for the subscription to end, so every dead letter is recorded.
	require.NoError(t, router.Close())
	reasons := map[string][]string{}
	for _, dl := range tr.DeadLetters() {
		reasons[dl.Message.UUID] = append(reasons[dl.Message.UUID], dl.Reason)
	}
	for _, id := range queued {
		require.Len(t, reasons[id], 1, "message %s", id)
		assert.Regexp(t, "^(handed over after its publish returned, and failed: cqrs: ChannelTransport is closed"+
			"|not delivered: its subscription closed before the message reached it)$", reasons[id][0], "message %s", id)
	}
}

// On an asynchronous ChannelTransport, a destination whose name does not
// end in ".fifo" still has its messages handled concurrently: one whose
// handler waits for the next message's handling is not waited for.
func TestChannelAsyncUnorderedDestinationHandlesConcurrently(t *testing.T) {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true, MaxDeliveries: 1})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	secondHandled, firstDone := make(chan struct{}), make(chan error, 1)
	pub := routeTo(t, tr, "loop", func(m *message.Message) error {
		if m.UUID == "second" {
			close(secondHandled)
			return nil
		}
		select {
		case <-secondHandled:
			firstDone <- nil
		case <-time.After(10 * time.Second):
			firstDone <- errors.New("the second message waited for the first")
		}
		return nil
	})

	require.NoError(t, pub.Publish("loop", message.NewMessage("first", nil)))
	require.NoError(t, pub.Publish("loop", message.NewMessage("second", nil)))

	require.NoError(t, <-firstDone)
}

// routeTo runs a router whose handler h consumes dest on tr, and returns
// tr's publisher of dest.
func routeTo(t *testing.T, tr *cqrs.ChannelTransport, dest string, h message.NoPublishHandlerFunc) message.Publisher {
	t.Helper()
	_, pub := routerTo(t, tr, dest, h)
	return pub
}

// routerTo is routeTo, also returning the router: closing it waits for its
// subscription to end, and so for what the subscription dead-letters.
func routerTo(t *testing.T, tr *cqrs.ChannelTransport, dest string, h message.NoPublishHandlerFunc) (*message.Router, message.Publisher) {
	t.Helper()
	sub, err := tr.Subscriber(dest)
	require.NoError(t, err)
	router, err := message.NewRouter(message.RouterConfig{}, watermill.NopLogger{})
	require.NoError(t, err)
	router.AddConsumerHandler(dest, dest, sub, h)
	go func() { _ = router.Run(context.Background()) }()
	<-router.Running()
	t.Cleanup(func() { _ = router.Close() })
	pub, err := tr.Publisher(dest)
	require.NoError(t, err)
	return router, pub
}
