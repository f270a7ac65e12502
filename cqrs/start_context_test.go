package cqrs_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// stallingSubscriber stands for a Pub/Sub whose Subscribe does not answer
// (a database that is down): until released, Subscribe waits, whatever its
// context or Close.
type stallingSubscriber struct {
	gochannelSubscriber
	released <-chan struct{}
}

func (s stallingSubscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	<-s.released
	return s.gochannelSubscriber.Subscribe(ctx, topic)
}

// A Start whose subscriptions do not answer ends with its context instead
// of waiting for good, leaves nothing running, and a Start retried once the
// Pub/Sub answers runs the service.
func TestStartEndsWithItsContextWhenASubscribeDoesNotAnswer(t *testing.T) {
	rig := newPubSubRig(t)
	release := make(chan struct{})
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	tr := rig.transport(t, cqrs.PubSubConfig{
		Subscriber: func(string, string) (message.Subscriber, error) {
			return stallingSubscriber{gochannelSubscriber{rig.gc}, release}, nil
		},
	})
	app := newOrderApp(t, cqrs.ServiceConfig{Transport: tr})

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	started := make(chan error, 1)
	go func() { started <- app.svc.Start(ctx) }()
	select {
	case err := <-started:
		require.ErrorIs(t, err, context.DeadlineExceeded)
	case <-time.After(30 * time.Second):
		t.Fatal("Start did not end with its context")
	}
	_, err := app.agg.Send(context.Background(), "o-0", CreateOrder{Amount: 1})
	require.ErrorIs(t, err, cqrs.ErrNotStarted, "a Start that gave up leaves the service not started")

	once.Do(func() { close(release) })
	app.start(t)
	_, err = app.agg.Send(context.Background(), "o-1", CreateOrder{Customer: "ann", Amount: 7})
	require.NoError(t, err)
	eventually(t, func() bool {
		s, ok, err := app.view.Get(context.Background(), "o-1")
		return err == nil && ok && s.Paid
	}, "the retried Start runs the service")
}

// stallAfterFirst answers the first Subscribe and stalls the others until
// released.
type stallAfterFirst struct {
	stallingSubscriber
	calls *atomic.Int64
}

func (s stallAfterFirst) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	if s.calls.Add(1) == 1 {
		return s.gochannelSubscriber.Subscribe(ctx, topic)
	}
	return s.stallingSubscriber.Subscribe(ctx, topic)
}

// A handler already running when a Start gives up, and sending (a saga
// raising its events), is refused as the Start gives up (ErrNotStarted, so
// its message is nacked) instead of waiting for the Start, which waits for
// that delivery to settle before it returns.
func TestAStartThatGivesUpDoesNotWaitForAHandlerThatSends(t *testing.T) {
	rig := newPubSubRig(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	var calls atomic.Int64
	tr := rig.transport(t, cqrs.PubSubConfig{
		CloseTimeout: time.Minute,
		Subscriber: func(string, string) (message.Subscriber, error) {
			return stallAfterFirst{stallingSubscriber{gochannelSubscriber{rig.gc}, release}, &calls}, nil
		},
	})
	for _, dest := range []string{"orders", "payments"} {
		require.NoError(t, rig.Publish(dest, rawCommand(map[string]string{
			"orders": "orders.CreateOrder", "payments": "payments.ProcessPayment",
		}[dest], "o-1", `{"Amount":1}`)))
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	handling := func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			cancel() // the Start gives up while this handler runs
			return h(msg)
		}
	}
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "billing", Transport: tr, Listen: []string{"orders", "payments"},
		HandlerMiddleware: []message.HandlerMiddleware{handling}})
	require.NoError(t, err)
	registerOrderTypes(t, svc)
	saga := cqrs.NewSaga[Order](svc, "order")
	require.NoError(t, errors.Join(cqrs.Handle(saga, createOrder), cqrs.Handle(saga, processPayment)))

	started := make(chan error, 1)
	go func() { started <- svc.Start(ctx) }()
	select {
	case err := <-started:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(30 * time.Second):
		t.Fatal("the Start that gave up waited for the handler, which waited for the Start")
	}
}

// A Start whose context was cancelled with a cause returns that cause.
func TestStartReturnsTheCauseOfItsContext(t *testing.T) {
	app := newOrderApp(t, cqrs.ServiceConfig{})
	stopped := errors.New("the deployment was rolled back")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(stopped)
	require.ErrorIs(t, app.svc.Start(ctx), stopped)
}

// lateSubscriber stands for a subscriber whose Subscribe ends with its
// context but answers only once released: it records a subscribe that
// answers after it was closed.
type lateSubscriber struct {
	message.Subscriber
	release <-chan struct{}
	closed  *atomic.Bool
	late    *atomic.Int64
}

func (s lateSubscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	<-ctx.Done()
	<-s.release
	if s.closed.Load() {
		s.late.Add(1)
	}
	return s.Subscriber.Subscribe(ctx, topic)
}

func (s lateSubscriber) Close() error {
	s.closed.Store(true)
	return s.Subscriber.Close()
}

// lateTransport hands out lateSubscribers of a ChannelTransport.
type lateTransport struct {
	*cqrs.ChannelTransport
	release <-chan struct{}
	late    *atomic.Int64
}

func (t lateTransport) Subscriber(destination string) (message.Subscriber, error) {
	sub, err := t.ChannelTransport.Subscriber(destination)
	return lateSubscriber{sub, t.release, new(atomic.Bool), t.late}, err
}

// A Start that gives up returns once its router stopped subscribing, so it
// closes its subscribers after their last subscribe: an abandoned router
// that went on subscribing would hold the destinations a retried Start then
// finds taken (ErrSecondListener on a ChannelTransport).
func TestAStartThatGivesUpReturnsOnceItsRouterStoppedSubscribing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var late atomic.Int64
		app := newOrderApp(t, cqrs.ServiceConfig{Transport: lateTransport{newTransport(t), release, &late}})
		ctx, cancel := context.WithCancel(context.Background())
		started := make(chan error, 1)
		go func() { started <- app.svc.Start(ctx) }()
		synctest.Wait() // a subscribe waits for its context
		cancel()
		synctest.Wait()
		close(release)
		require.ErrorIs(t, <-started, context.Canceled)
		synctest.Wait()
		require.Zero(t, late.Load(), "the router subscribed after the Start that gave up closed its subscribers")
		require.NoError(t, app.svc.Close())
	})
}

// failAfterFirst answers the first Subscribe and refuses the others.
type failAfterFirst struct {
	gochannelSubscriber
	calls *atomic.Int64
}

func (s failAfterFirst) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	if s.calls.Add(1) == 1 {
		return s.gochannelSubscriber.Subscribe(ctx, topic)
	}
	return nil, errors.New("subscribe refused")
}

// A router whose Run failed before it subscribed every handler (a Start
// that gave up, or a subscribe that failed) is closed all the same:
// Watermill counts a handler from its addition, so without the handlers
// that never started ending, the router and a goroutine were kept for each
// failed Start.
func TestTheRouterOfAFailedStartCloses(t *testing.T) {
	for name, sub := range map[string]func(rig *pubsubRig, release <-chan struct{}) message.Subscriber{
		"gave up": func(rig *pubsubRig, release <-chan struct{}) message.Subscriber {
			return stallAfterFirst{stallingSubscriber{gochannelSubscriber{rig.gc}, release}, new(atomic.Int64)}
		},
		"subscribe failed": func(rig *pubsubRig, _ <-chan struct{}) message.Subscriber {
			return failAfterFirst{gochannelSubscriber{rig.gc}, new(atomic.Int64)}
		},
	} {
		t.Run(name, func(t *testing.T) {
			rig := newPubSubRig(t)
			release := make(chan struct{})
			t.Cleanup(func() { close(release) })
			subscriber := sub(rig, release)
			tr := rig.transport(t, cqrs.PubSubConfig{
				Subscriber: func(string, string) (message.Subscriber, error) { return subscriber, nil },
			})
			logs := watermill.NewCaptureLogger()
			app := newOrderApp(t, cqrs.ServiceConfig{Transport: tr, Logger: logs})
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			require.Error(t, app.svc.Start(ctx))
			eventually(t, func() bool {
				return slices.ContainsFunc(logs.Captured()[watermill.InfoLogLevel], func(m watermill.CapturedMessage) bool {
					return m.Msg == "Router closed"
				})
			}, "the router of the failed Start never closed")
		})
	}
}
