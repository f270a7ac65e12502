package cqrs_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// TestServiceRunsInTheCallersRouter: two services share a router the caller
// configures the Watermill way (a plugin and router-level middleware) and
// runs; each service's handlers run in it, the router middleware wraps them,
// and closing one service stops only its handlers.
func TestServiceRunsInTheCallersRouter(t *testing.T) {
	router, err := message.NewRouter(message.RouterConfig{}, watermill.NopLogger{})
	require.NoError(t, err)
	var plugged, wrapped atomic.Int64
	router.AddPlugin(func(*message.Router) error { plugged.Add(1); return nil })
	router.AddMiddleware(func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			wrapped.Add(1)
			return h(msg)
		}
	})
	tr := newTransport(t)
	orders := newOrderApp(t, cqrs.ServiceConfig{Router: router, Transport: tr})
	require.NoError(t, orders.svc.Start(context.Background()), "handlers are added before the router runs")
	t.Cleanup(func() { assert.NoError(t, orders.svc.Close(), "closing after the router closed") })
	go func() { _ = router.Run(context.Background()) }()
	t.Cleanup(func() { _ = router.Close() })
	<-router.Running()

	audit, err := cqrs.NewService(cqrs.ServiceConfig{Name: "audit", Transport: tr, Listen: []string{"audit"}, Router: router})
	require.NoError(t, err)
	require.NoError(t, cqrs.RegisterCommand[CreateOrder](audit, "audit.Note", "audit"))
	var noted atomic.Int64
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](audit, "note"), func(context.Context, *Order, CreateOrder, cqrs.Envelope) ([]any, error) {
		noted.Add(1)
		return nil, nil
	}))
	require.NoError(t, audit.Start(context.Background()), "handlers added to a running router start at once")

	_, err = orders.agg.Send(context.Background(), "o-1", CreateOrder{Amount: 3})
	require.NoError(t, err)
	_, err = cqrs.NewAggregate(audit, "note").Send(context.Background(), "n-1", CreateOrder{})
	require.NoError(t, err)
	eventually(t, func() bool { return noted.Load() == 1 }, "the second service handles in the shared router")
	s, found, err := orders.view.Get(context.Background(), "o-1")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, 3, s.Amount)
	assert.Equal(t, int64(1), plugged.Load(), "the caller's plugin ran")
	assert.GreaterOrEqual(t, wrapped.Load(), int64(5), "router middleware wraps every service's handlers")

	require.NoError(t, audit.Close())
	assert.True(t, router.IsRunning(), "closing a service leaves the caller's router running")
	_, err = orders.agg.Send(context.Background(), "o-2", CreateOrder{Amount: 4})
	require.NoError(t, err, "the other service still handles")
	s, found, err = orders.view.Get(context.Background(), "o-2")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, 4, s.Amount)
}

// flakySubscribers is a transport whose Subscriber fails the first time it
// is asked for failOn; it keeps the subscribers it gives out.
type flakySubscribers struct {
	cqrs.Transport
	failOn string
	failed atomic.Bool
	mu     sync.Mutex
	subs   []*closeCounter
}

func (f *flakySubscribers) Subscriber(dest string) (message.Subscriber, error) {
	if dest == f.failOn && f.failed.CompareAndSwap(false, true) {
		return nil, errors.New("subscriber unavailable")
	}
	sub, err := f.Transport.Subscriber(dest)
	if err != nil {
		return nil, err
	}
	c := &closeCounter{Subscriber: sub}
	f.mu.Lock()
	f.subs = append(f.subs, c)
	f.mu.Unlock()
	return c, nil
}

type closeCounter struct {
	message.Subscriber
	closes atomic.Int64
}

func (c *closeCounter) Close() error {
	c.closes.Add(1)
	return c.Subscriber.Close()
}

// TestAStartThatFailedInTheCallersRouterIsRetried: in a running router, the
// subscriber of the second destination fails once, so Start fails; the
// retried Start adds the handlers and messages flow. Close closes every
// subscriber the service created.
func TestAStartThatFailedInTheCallersRouterIsRetried(t *testing.T) {
	router := runningRouter(t, watermill.NopLogger{})
	flaky := &flakySubscribers{Transport: newTransport(t), failOn: "payments"}
	app := newOrderApp(t, cqrs.ServiceConfig{Router: router, Transport: flaky})

	require.ErrorContains(t, app.svc.Start(context.Background()), "subscriber unavailable")
	type Refund struct{}
	err := cqrs.RegisterCommand[Refund](app.svc, "Refund", "refunds.fifo")
	require.ErrorIs(t, err, cqrs.ErrStarted, "the failed Start bound the transport: a new route would skip Bind's checks")
	assert.ErrorContains(t, err, "retry Start")
	require.NotPanics(t, func() { err = app.svc.Start(context.Background()) })
	require.NoError(t, err, "the retried Start adds the handlers")
	_, err = app.agg.Send(context.Background(), "o-1", CreateOrder{Amount: 3})
	require.NoError(t, err)
	eventually(t, func() bool {
		s, _, err := app.view.Get(context.Background(), "o-1")
		return err == nil && s.Paid
	}, "the whole flow runs")

	require.NoError(t, app.svc.Close())
	flaky.mu.Lock()
	defer flaky.mu.Unlock()
	for i, sub := range flaky.subs {
		assert.Positive(t, sub.closes.Load(), "subscriber %d is closed", i)
	}
	assert.True(t, router.IsRunning(), "the caller's router still runs")
}

// gateLogger, as a router's logger, holds the adding of the middleware of
// the handler named name until that handler has started or half a second
// has passed, so that whatever can run the handler meanwhile does.
type gateLogger struct {
	watermill.NopLogger
	name      string
	adding    chan struct{} // closed as name's middleware is being added
	started   chan struct{} // closed as name's handler starts
	addOnce   sync.Once
	startOnce sync.Once
}

func newGateLogger(name string) *gateLogger {
	return &gateLogger{name: name, adding: make(chan struct{}), started: make(chan struct{})}
}

func (l *gateLogger) Debug(msg string, fields watermill.LogFields) {
	if msg == "Adding middleware to handler" && fields["handlerName"] == l.name {
		l.addOnce.Do(func() {
			close(l.adding)
			select {
			case <-l.started:
			case <-time.After(500 * time.Millisecond):
			}
		})
	}
}

func (l *gateLogger) Info(msg string, fields watermill.LogFields) {
	if msg == "Starting handler" && fields["subscriber_name"] == l.name {
		l.startOnce.Do(func() { close(l.started) })
	}
}

func (l *gateLogger) With(watermill.LogFields) watermill.LoggerAdapter { return l }

type pipelineKey struct{}

// pipedService returns a service named name in router listening to dest,
// whose HandlerMiddleware marks each message's context; its handler counts
// the messages that reached it without the mark.
func pipedService(t *testing.T, tr cqrs.Transport, router *message.Router, name, dest string, bare *atomic.Int64) (*cqrs.Service, *atomic.Int64) {
	t.Helper()
	mark := func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			msg.SetContext(context.WithValue(msg.Context(), pipelineKey{}, true))
			return h(msg)
		}
	}
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: name, Transport: tr, Listen: []string{dest}, Router: router,
		HandlerMiddleware: []message.HandlerMiddleware{mark}})
	require.NoError(t, err)
	require.NoError(t, cqrs.RegisterCommand[CreateOrder](svc, name+".Create", dest))
	var handled atomic.Int64
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](svc, "s"), func(ctx context.Context, _ *Order, _ CreateOrder, _ cqrs.Envelope) ([]any, error) {
		if ctx.Value(pipelineKey{}) == nil {
			bare.Add(1)
		}
		handled.Add(1)
		return nil, nil
	}))
	return svc, &handled
}

// TestServicesStartingTogetherInARunningRouterKeepTheirPipeline: while one
// service adds its handler to a running router, another service's Start
// runs the router's new handlers; the first service's handler still runs
// its HandlerMiddleware.
func TestServicesStartingTogetherInARunningRouterKeepTheirPipeline(t *testing.T) {
	gate := newGateLogger("first/first")
	router := runningRouter(t, gate)
	tr := newTransport(t)
	var bare atomic.Int64
	first, handled := pipedService(t, tr, router, "first", "first", &bare)
	second, _ := pipedService(t, tr, router, "second", "second", &bare)

	firstStarted := make(chan error, 1)
	go func() { firstStarted <- first.Start(context.Background()) }()
	<-gate.adding
	require.NoError(t, second.Start(context.Background()))
	require.NoError(t, <-firstStarted)
	t.Cleanup(func() { assert.NoError(t, errors.Join(first.Close(), second.Close())) })

	_, err := cqrs.NewAggregate(first, "s").Send(context.Background(), "o-1", CreateOrder{})
	require.NoError(t, err)
	eventually(t, func() bool { return handled.Load() >= 1 }, "the first service handles its command")
	assert.Zero(t, bare.Load(), "no message is handled without the service's HandlerMiddleware")
}

// TestManyServicesStartTogetherInARunningRouter: services started at once
// in one running router each handle their commands through their
// HandlerMiddleware.
func TestManyServicesStartTogetherInARunningRouter(t *testing.T) {
	router := runningRouter(t, watermill.NopLogger{})
	tr := newTransport(t)
	var bare atomic.Int64
	svcs := make([]*cqrs.Service, 16)
	handled := make([]*atomic.Int64, len(svcs))
	for i := range svcs {
		name := "svc-" + strconv.Itoa(i)
		svcs[i], handled[i] = pipedService(t, tr, router, name, name, &bare)
	}
	var wg sync.WaitGroup
	for _, svc := range svcs {
		wg.Go(func() { assert.NoError(t, svc.Start(context.Background())) })
	}
	wg.Wait()
	for i, svc := range svcs {
		t.Cleanup(func() { assert.NoError(t, svc.Close()) })
		_, err := cqrs.NewAggregate(svc, "s").Send(context.Background(), "o-1", CreateOrder{})
		require.NoError(t, err)
		eventually(t, func() bool { return handled[i].Load() >= 1 }, "every service handles its command")
	}
	assert.Zero(t, bare.Load(), "no message is handled without its service's HandlerMiddleware")
}

// TestAStartBesideACloseInASharedRouterDoesNotRace: one service starts in
// a running router while another closes there; the Start does not read the
// router's handler map as the stopping handler deletes itself from it.
func TestAStartBesideACloseInASharedRouterDoesNotRace(t *testing.T) {
	router := runningRouter(t, watermill.NopLogger{})
	tr := newTransport(t)
	var bare atomic.Int64
	keepRouterOpen(t, tr, router, &bare)
	for i := range 20 {
		a, _ := pipedService(t, tr, router, "a"+strconv.Itoa(i), "a"+strconv.Itoa(i), &bare)
		require.NoError(t, a.Start(context.Background()))
		b, _ := pipedService(t, tr, router, "b"+strconv.Itoa(i), "b"+strconv.Itoa(i), &bare)
		var wg sync.WaitGroup
		wg.Go(func() { assert.NoError(t, a.Close()) })
		wg.Go(func() { assert.NoError(t, b.Start(context.Background())) })
		wg.Wait()
		t.Cleanup(func() { assert.NoError(t, b.Close()) })
	}
}

// TestAServiceNameIsTakenForTheSharedRoutersLife: a second service of the
// same name in one router is refused, also once the first one closed.
func TestAServiceNameIsTakenForTheSharedRoutersLife(t *testing.T) {
	router := runningRouter(t, watermill.NopLogger{})
	tr := newTransport(t)
	var bare atomic.Int64
	keepRouterOpen(t, tr, router, &bare)
	first, _ := pipedService(t, tr, router, "orders", "orders", &bare)
	require.NoError(t, first.Start(context.Background()))

	again, _ := pipedService(t, tr, router, "orders", "orders", &bare)
	require.ErrorContains(t, again.Start(context.Background()), "service names must be unique per router")
	require.NoError(t, first.Close())
	later, _ := pipedService(t, tr, router, "orders", "orders", &bare)
	require.ErrorContains(t, later.Start(context.Background()), "service names must be unique per router")
}

// runningRouter returns a router with logger that runs until the test ends.
func runningRouter(t *testing.T, logger watermill.LoggerAdapter) *message.Router {
	t.Helper()
	router, err := message.NewRouter(message.RouterConfig{}, logger)
	require.NoError(t, err)
	go func() { _ = router.Run(context.Background()) }()
	t.Cleanup(func() { _ = router.Close() })
	<-router.Running()
	return router
}

// keepRouterOpen starts a service in router until the test ends: Watermill
// closes a running router whose last handler stopped.
func keepRouterOpen(t *testing.T, tr cqrs.Transport, router *message.Router, bare *atomic.Int64) {
	t.Helper()
	keep, _ := pipedService(t, tr, router, "keep", "keep", bare)
	require.NoError(t, keep.Start(context.Background()))
	t.Cleanup(func() { assert.NoError(t, keep.Close()) })
}
