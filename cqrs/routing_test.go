package cqrs_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

func newService(t *testing.T, tr cqrs.Transport, name string, listen ...string) *cqrs.Service {
	t.Helper()
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: name, Transport: tr, Listen: listen})
	require.NoError(t, err)
	registerOrderTypes(t, svc)
	return svc
}

func start(t *testing.T, svc *cqrs.Service) {
	t.Helper()
	require.NoError(t, svc.Start(context.Background()))
	t.Cleanup(func() { require.NoError(t, svc.Close()) })
}

func TestCommandRoutedToAnotherServiceIsHandledThereOnly(t *testing.T) {
	tr := newTransport(t)
	sender := newService(t, tr, "web")
	worker := newService(t, tr, "worker", "orders")
	var handled atomic.Int64
	saga := cqrs.NewSaga[Order](worker, "order")
	require.NoError(t, cqrs.Handle(saga, func(_ context.Context, o *Order, c CreateOrder, _ cqrs.Envelope) ([]any, error) {
		handled.Add(1)
		o.Amount = c.Amount
		return nil, nil
	}))
	err := cqrs.Handle(cqrs.NewSaga[Order](sender, "order"), createOrder)
	require.ErrorIs(t, err, cqrs.ErrNotListened, "the sender cannot also handle a type it routes away")
	start(t, worker)
	start(t, sender)

	_, err = cqrs.NewAggregate(sender, "order").Send(context.Background(), "o-1", CreateOrder{Amount: 3})
	require.NoError(t, err)
	assert.Equal(t, int64(1), handled.Load(), "handled exactly once, by the listening service")
	o, found, err := saga.Load(context.Background(), "o-1")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, 3, o.Amount)
}

func TestEventsFanOutToEverySubscribingService(t *testing.T) {
	tr := newTransport(t)
	producer := newService(t, tr, "producer")
	var got [3]atomic.Int64
	for i := range got {
		svc := newService(t, tr, "consumer-"+string(rune('a'+i)), "order-events")
		require.NoError(t, cqrs.React(cqrs.NewAggregate(svc, "agg"), func(context.Context, *cqrs.Aggregate, OrderCreated, cqrs.Envelope) error {
			got[i].Add(1)
			return nil
		}))
		start(t, svc)
	}
	start(t, producer)
	_, err := producer.EventQueue().Raise(context.Background(), "o-1", OrderCreated{OrderID: "o-1"})
	require.NoError(t, err)
	for i := range got {
		assert.Equal(t, int64(1), got[i].Load(), "consumer %d", i)
	}
}

func TestSendingToADestinationNobodyListensToFails(t *testing.T) {
	svc := newService(t, newTransport(t), "lonely")
	start(t, svc)
	_, err := svc.CommandBus().Send(context.Background(), "o-1", CreateOrder{})
	require.ErrorIs(t, err, cqrs.ErrNoListener)
	_, err = svc.EventQueue().Raise(context.Background(), "o-1", OrderCreated{})
	require.NoError(t, err, "an event with no subscriber is not an error")
}

func TestTypeWithoutHandlerOnASharedDestinationIsDeadLettered(t *testing.T) {
	tr := newTransport(t)
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "s", Transport: tr, Listen: []string{"orders"}})
	require.NoError(t, err)
	type CancelOrder struct{}
	require.NoError(t, errors.Join(
		cqrs.RegisterCommand[CreateOrder](svc, "orders.CreateOrder", "orders"),
		cqrs.RegisterCommand[CancelOrder](svc, "orders.CancelOrder", "orders"),
	))
	var created atomic.Int64
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), func(context.Context, *Order, CreateOrder, cqrs.Envelope) ([]any, error) {
		created.Add(1)
		return nil, nil
	}))
	start(t, svc)
	agg := cqrs.NewAggregate(svc, "order")
	_, err = agg.Send(context.Background(), "o-1", CancelOrder{})
	require.NoError(t, err)
	_, err = agg.Send(context.Background(), "o-1", CreateOrder{})
	require.NoError(t, err)

	dead := tr.DeadLetters()
	require.Len(t, dead, 1)
	assert.Equal(t, "orders.CancelOrder", dead[0].Message.Metadata.Get(sourceflow.MetaType))
	assert.Contains(t, dead[0].Reason, cqrs.ErrUnknownType.Error())
	assert.Equal(t, int64(1), created.Load())
}

func TestWiringErrors(t *testing.T) {
	tr := newTransport(t)
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "s", Transport: tr, Listen: []string{"orders", "idle", "order-events"}})
	require.NoError(t, err)
	type Other struct{}
	require.NoError(t, cqrs.RegisterCommand[CreateOrder](svc, "orders.CreateOrder", "orders"))
	require.NoError(t, cqrs.RegisterEvent[OrderCreated](svc, "orders.OrderCreated", "order-events"))

	assert.ErrorIs(t, cqrs.RegisterCommand[Other](svc, "orders.CreateOrder", "orders"), cqrs.ErrDuplicateType, "name twice")
	assert.ErrorIs(t, cqrs.RegisterCommand[CreateOrder](svc, "orders.Create2", "orders"), cqrs.ErrDuplicateType, "Go type twice")
	assert.ErrorIs(t, cqrs.RegisterEvent[Other](svc, "x.Other", "orders"), cqrs.ErrInvalidRegistration, "events on a command destination")
	assert.ErrorIs(t, cqrs.RegisterCommand[*Other](svc, "x.Ptr", "x"), cqrs.ErrInvalidRegistration, "pointer type")
	assert.ErrorIs(t, cqrs.RegisterEvent[error](svc, "x.Iface", "x"), cqrs.ErrInvalidRegistration, "interface type")
	assert.ErrorIs(t, cqrs.RegisterCommand[Other](svc, "", "x"), cqrs.ErrInvalidRegistration, "empty name")
	assert.ErrorIs(t, cqrs.RegisterCommand[Other](svc, "x.Other", ""), cqrs.ErrInvalidRegistration, "empty destination")

	saga := cqrs.NewSaga[Order](svc, "order")
	assert.ErrorIs(t, cqrs.Handle(saga, func(context.Context, *Order, Other, cqrs.Envelope) ([]any, error) { return nil, nil }),
		cqrs.ErrNotRegistered, "handler for a type never registered")
	require.NoError(t, cqrs.Handle(saga, createOrder))
	assert.ErrorIs(t, cqrs.Handle(cqrs.NewSaga[Order](svc, "other"), createOrder), cqrs.ErrDuplicateHandler)
	assert.ErrorIs(t, cqrs.Project(cqrs.NewView[Summary](svc, "v"), func(context.Context, *Summary, CreateOrder, cqrs.Envelope) error { return nil }),
		cqrs.ErrInvalidRegistration, "projecting a command")

	err = svc.Start(context.Background())
	require.ErrorIs(t, err, cqrs.ErrNotRegistered, "listened destination without types")
	assert.Contains(t, err.Error(), `"idle"`)
	require.ErrorIs(t, err, cqrs.ErrNoHandlers, "order-events has types but no handler")
	assert.Contains(t, err.Error(), `"order-events"`)

	_, err = cqrs.NewService(cqrs.ServiceConfig{Listen: []string{"a", "a", ""}})
	require.Error(t, err)
	for _, want := range []string{"Name is required", `lists "a" twice`, "Listen[2] is empty"} {
		assert.Contains(t, err.Error(), want)
	}
}

func TestChangesAfterStartAreRejected(t *testing.T) {
	app := newOrderApp(t, cqrs.ServiceConfig{})
	app.start(t)
	type Late struct{}
	err := cqrs.RegisterCommand[Late](app.svc, "late", "orders")
	assert.ErrorIs(t, err, cqrs.ErrStarted)
	assert.ErrorContains(t, err, "register types and handlers before Start", "the error says what to do instead")
	assert.ErrorIs(t, app.svc.Start(context.Background()), cqrs.ErrStarted)
}

func TestSendBeforeStartFails(t *testing.T) {
	app := newOrderApp(t, cqrs.ServiceConfig{})
	_, err := app.agg.Send(context.Background(), "o", CreateOrder{})
	require.ErrorIs(t, err, cqrs.ErrNotStarted)
	stream, err := app.store.Load(context.Background(), "o")
	require.NoError(t, err)
	assert.Empty(t, stream, "a command that cannot be sent is not stored")
}

// A saga that sends a command to the destination it consumes does not wait
// on itself on the synchronous in-process transport.
func TestAHandlerMaySendToItsOwnDestination(t *testing.T) {
	tr := newTransport(t)
	svc := newService(t, tr, "chain", "orders")
	saga := cqrs.NewSaga[Order](svc, "order")
	agg := cqrs.NewAggregate(svc, "order")
	require.NoError(t, cqrs.Handle(saga, func(ctx context.Context, o *Order, c CreateOrder, env cqrs.Envelope) ([]any, error) {
		o.Amount = c.Amount
		if c.Amount > 1 { // create the next, smaller order in the chain
			_, err := agg.Send(ctx, fmt.Sprintf("o-%d", c.Amount-1), CreateOrder{Amount: c.Amount - 1})
			return nil, err
		}
		return nil, nil
	}))
	start(t, svc)
	_, err := agg.Send(context.Background(), "o-5", CreateOrder{Amount: 5})
	require.NoError(t, err)
	eventually(t, func() bool {
		o, found, _ := saga.Load(context.Background(), "o-1")
		return found && o.Amount == 1
	}, "the chain of self-sent commands reached its end")
}

// flakyTransport fails its first Publisher call and counts Bind calls.
type flakyTransport struct {
	cqrs.Transport
	binds  atomic.Int64
	failed atomic.Bool
}

func (f *flakyTransport) Bind(ctx context.Context, b sourceflow.Binding) error {
	f.binds.Add(1)
	return f.Transport.Bind(ctx, b)
}

func (f *flakyTransport) Publisher(dest string) (message.Publisher, error) {
	if !f.failed.Swap(true) {
		return nil, errors.New("transport not ready yet")
	}
	return f.Transport.Publisher(dest)
}

func TestAFailedStartCanBeRetriedAndCloseStopsSending(t *testing.T) {
	flaky := &flakyTransport{Transport: newTransport(t)}
	app := newOrderApp(t, cqrs.ServiceConfig{Transport: flaky})
	ctx := context.Background()
	err := app.svc.Start(ctx)
	require.ErrorContains(t, err, "transport not ready yet")
	app.start(t)
	assert.Equal(t, int64(1), flaky.binds.Load(), "the retry did not bind again")
	_, err = app.agg.Send(ctx, "o-1", CreateOrder{Amount: 1})
	require.NoError(t, err)

	require.NoError(t, app.svc.Close())
	_, err = app.agg.Send(ctx, "o-2", CreateOrder{Amount: 1})
	require.ErrorIs(t, err, cqrs.ErrNotStarted)
	stream, err := app.store.Load(ctx, "o-2")
	require.NoError(t, err)
	assert.Empty(t, stream, "nothing stored after Close")
}

func TestASecondInProcessListenerOfACommandDestinationIsRefused(t *testing.T) {
	tr := newTransport(t)
	first := newService(t, tr, "first", "orders")
	second := newService(t, tr, "second", "orders")
	for _, svc := range []*cqrs.Service{first, second} {
		require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), createOrder))
	}
	start(t, first)
	err := second.Start(context.Background())
	require.ErrorIs(t, err, cqrs.ErrSecondListener)
	_, err = cqrs.NewAggregate(first, "order").Send(context.Background(), "o-1", CreateOrder{})
	require.NoError(t, err, "the first listener still works")
}

func TestDeadLettersAreBounded(t *testing.T) {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{MaxDeadLetters: 2})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	app := newOrderApp(t, cqrs.ServiceConfig{Transport: tr})
	app.start(t)
	pub, err := tr.Publisher("orders")
	require.NoError(t, err)
	for i := range 3 {
		require.NoError(t, pub.Publish("orders", rawCommandID(fmt.Sprint("bad-", i), "orders.Nope", "o", `{}`)))
	}
	dead := tr.DeadLetters()
	require.Len(t, dead, 2)
	assert.Equal(t, "bad-1", dead[0].Message.UUID, "the oldest was dropped")
	assert.Equal(t, 3, tr.DeadLetterCount())
	_, err = cqrs.NewChannelTransport(cqrs.ChannelConfig{MaxDeadLetters: -1})
	require.ErrorContains(t, err, "MaxDeadLetters")
}

// Commands a handler sends to its own destination keep their order.
func TestSelfSentCommandsKeepTheirOrder(t *testing.T) {
	tr := newTransport(t)
	svc := newService(t, tr, "chain", "orders")
	agg := cqrs.NewAggregate(svc, "order")
	var seen recorder[int]
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](svc, "order"), func(ctx context.Context, o *Order, c CreateOrder, env cqrs.Envelope) ([]any, error) {
		if env.EntityID == "seed" {
			for i := 1; i <= 10; i++ {
				if _, err := agg.Send(ctx, "x", CreateOrder{Amount: i}); err != nil {
					return nil, err
				}
			}
			return nil, nil
		}
		seen.add(c.Amount)
		return nil, nil
	}))
	start(t, svc)
	_, err := agg.Send(context.Background(), "seed", CreateOrder{})
	require.NoError(t, err)
	eventually(t, func() bool { return len(seen.all()) == 10 }, "all ten self-sent commands handled")
	assert.Equal(t, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, seen.all())
}

// While Close drains, a handler still running may send; sends from outside
// a handler are refused.
func TestHandlersMaySendWhileCloseDrains(t *testing.T) {
	counting := &countingTransport{Transport: newTransport(t)}
	svc := newService(t, counting, "drain", "order-events")
	started, release := make(chan struct{}), make(chan struct{})
	sent := make(chan error, 1)
	require.NoError(t, cqrs.React(cqrs.NewAggregate(svc, "a"), func(ctx context.Context, a *cqrs.Aggregate, e OrderCreated, _ cqrs.Envelope) error {
		close(started)
		<-release
		_, err := svc.EventQueue().Raise(ctx, e.OrderID, PaymentProcessed{OrderID: e.OrderID})
		sent <- err
		return err
	}))
	require.NoError(t, svc.Start(context.Background()))
	go func() { _, _ = svc.EventQueue().Raise(context.Background(), "o-1", OrderCreated{OrderID: "o-1"}) }()
	<-started
	closed := make(chan error, 1)
	go func() { closed <- svc.Close() }()
	eventually(t, func() bool {
		_, err := svc.EventQueue().Raise(context.Background(), "o-2", OrderCreated{})
		return errors.Is(err, cqrs.ErrNotStarted)
	}, "sends from outside a handler are refused once Close began")
	before := counting.published.Load()
	close(release)
	require.NoError(t, <-sent, "the draining handler could still raise its event")
	require.NoError(t, <-closed)
	assert.Equal(t, before+1, counting.published.Load())
	_, err := svc.EventQueue().Raise(context.Background(), "o-3", OrderCreated{})
	require.ErrorIs(t, err, cqrs.ErrNotStarted)
}

// Two services reacting alike to one event send commands with different ids:
// the derived id names the service.
func TestDerivedIDsDifferAcrossServices(t *testing.T) {
	tr := newTransport(t)
	pay := newService(t, tr, "pay", "payments")
	var ids recorder[string]
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](pay, "payment"), func(_ context.Context, _ *Order, _ ProcessPayment, env cqrs.Envelope) ([]any, error) {
		ids.add(env.MessageID)
		return nil, nil
	}))
	start(t, pay)
	for _, name := range []string{"svc-a", "svc-b"} {
		svc := newService(t, tr, name, "order-events")
		require.NoError(t, cqrs.React(cqrs.NewAggregate(svc, "agg"), startPayment))
		start(t, svc)
	}
	producer := newService(t, tr, "producer")
	start(t, producer)
	_, err := producer.EventQueue().Raise(context.Background(), "o-1", OrderCreated{OrderID: "o-1", Amount: 1})
	require.NoError(t, err)
	got := ids.all()
	require.Len(t, got, 2)
	assert.NotEqual(t, got[0], got[1])
}

// A Start abandoned by its context leaves no listener behind: the retry can
// listen to the same command destination.
func TestAStartCancelledByItsContextCanBeRetried(t *testing.T) {
	app := newOrderApp(t, cqrs.ServiceConfig{})
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, app.svc.Start(cancelled), context.Canceled)
	app.start(t)
	_, err := app.agg.Send(context.Background(), "o-1", CreateOrder{Amount: 1})
	require.NoError(t, err)
}
