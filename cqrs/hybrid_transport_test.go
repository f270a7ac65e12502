package cqrs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// fakeTransport records what the hybrid hands it.
type fakeTransport struct {
	name     string
	bindErr  error
	closeErr error
	binds    []sourceflow.Binding
	pubs     []string
	subs     []string
	closes   int
}

func (f *fakeTransport) Bind(_ context.Context, b sourceflow.Binding) error {
	f.binds = append(f.binds, b)
	return f.bindErr
}

func (f *fakeTransport) Publisher(dest string) (message.Publisher, error) {
	f.pubs = append(f.pubs, dest)
	return nil, nil
}

func (f *fakeTransport) Subscriber(dest string) (message.Subscriber, error) {
	f.subs = append(f.subs, dest)
	return nil, nil
}

func (f *fakeTransport) Close() error {
	f.closes++
	return f.closeErr
}

func hybridBinding() sourceflow.Binding {
	return sourceflow.Binding{
		Service: "orders",
		Routes: []sourceflow.Route{
			{Type: "orders.CreateOrder", Kind: sourceflow.KindCommand, Destination: "orders"},
			{Type: "orders.OrderCreated", Kind: sourceflow.KindEvent, Destination: "order-events"},
			{Type: "audit.Recorded", Kind: sourceflow.KindEvent, Destination: "audit"},
		},
		Listeners: []sourceflow.Listener{
			{Destination: "orders", Kind: sourceflow.KindCommand, Types: []string{"orders.CreateOrder"}},
			{Destination: "audit", Kind: sourceflow.KindEvent, Types: []string{"audit.Recorded"}},
		},
	}
}

func destinationsOf(b sourceflow.Binding) (routes, listeners []string) {
	for _, r := range b.Routes {
		routes = append(routes, r.Destination)
	}
	for _, l := range b.Listeners {
		listeners = append(listeners, l.Destination)
	}
	return routes, listeners
}

// Bind gives each transport the routes and listeners of its destinations
// and the service name; a destination named in Destinations wins over its
// kind; a transport used in two roles is bound once.
func TestHybridTransport_BindSplitsTheBinding(t *testing.T) {
	aws, local := &fakeTransport{name: "aws"}, &fakeTransport{name: "local"}
	h, err := cqrs.NewHybridTransport(cqrs.HybridConfig{
		Default: aws, Commands: local, Destinations: map[string]cqrs.Transport{"audit": local},
	})
	require.NoError(t, err)
	require.NoError(t, h.Bind(context.Background(), hybridBinding()))

	require.Len(t, aws.binds, 1)
	require.Len(t, local.binds, 1, "a transport in two roles is bound once")
	assert.Equal(t, "orders", aws.binds[0].Service)
	assert.Equal(t, "orders", local.binds[0].Service)
	routes, listeners := destinationsOf(aws.binds[0])
	assert.Equal(t, []string{"order-events"}, routes)
	assert.Empty(t, listeners)
	routes, listeners = destinationsOf(local.binds[0])
	assert.Equal(t, []string{"orders", "audit"}, routes)
	assert.Equal(t, []string{"orders", "audit"}, listeners)
}

// Every configured transport is bound, even one that carries nothing, so
// it gets the service name.
func TestHybridTransport_BindsATransportThatCarriesNothing(t *testing.T) {
	aws, local := &fakeTransport{}, &fakeTransport{}
	h, err := cqrs.NewHybridTransport(cqrs.HybridConfig{Default: aws, Events: local})
	require.NoError(t, err)
	b := hybridBinding()
	b.Routes, b.Listeners = b.Routes[:1], b.Listeners[:1]
	require.NoError(t, h.Bind(context.Background(), b))
	require.Len(t, local.binds, 1)
	assert.Equal(t, sourceflow.Binding{Service: "orders"}, local.binds[0])
}

// Publisher and Subscriber go to the transport of the destination, by the
// kind the Binding gave it.
func TestHybridTransport_DispatchesByDestination(t *testing.T) {
	aws, local := &fakeTransport{}, &fakeTransport{}
	h, err := cqrs.NewHybridTransport(cqrs.HybridConfig{Default: aws, Commands: local})
	require.NoError(t, err)
	require.NoError(t, h.Bind(context.Background(), hybridBinding()))
	for _, dest := range []string{"orders", "order-events", "audit"} {
		_, err := h.Publisher(dest)
		require.NoError(t, err)
		_, err = h.Subscriber(dest)
		require.NoError(t, err)
	}
	assert.Equal(t, []string{"orders"}, local.pubs)
	assert.Equal(t, []string{"orders"}, local.subs)
	assert.Equal(t, []string{"order-events", "audit"}, aws.pubs)
	assert.Equal(t, []string{"order-events", "audit"}, aws.subs)
}

// A failed Bind is retried on the failed transport only: the one already
// bound is not bound twice.
func TestHybridTransport_RetriedBindSkipsBoundTransports(t *testing.T) {
	aws, local := &fakeTransport{bindErr: errors.New("no answer")}, &fakeTransport{}
	h, err := cqrs.NewHybridTransport(cqrs.HybridConfig{Default: aws, Commands: local})
	require.NoError(t, err)
	err = h.Bind(context.Background(), hybridBinding())
	require.ErrorContains(t, err, "no answer")
	aws.bindErr = nil
	require.NoError(t, h.Bind(context.Background(), hybridBinding()))
	assert.Len(t, aws.binds, 2)
	assert.Len(t, local.binds, 1)
}

// Close closes each distinct transport once and joins their errors.
func TestHybridTransport_CloseClosesEachTransportOnce(t *testing.T) {
	aws := &fakeTransport{closeErr: errors.New("aws close")}
	local := &fakeTransport{closeErr: errors.New("local close")}
	h, err := cqrs.NewHybridTransport(cqrs.HybridConfig{
		Default: aws, Commands: local, Events: aws, Destinations: map[string]cqrs.Transport{"audit": local},
	})
	require.NoError(t, err)
	err = h.Close()
	require.ErrorContains(t, err, "cqrs: close hybrid transport 0 (*cqrs_test.fakeTransport): aws close")
	require.ErrorContains(t, err, "cqrs: close hybrid transport 1 (*cqrs_test.fakeTransport): local close")
	assert.Equal(t, 1, aws.closes)
	assert.Equal(t, 1, local.closes)
}

// uncomparable is a Transport whose type cannot be told apart by identity.
type uncomparable struct {
	cqrs.Transport
	_ []string // a slice field makes the type not comparable
}

func TestHybridConfig_Validate(t *testing.T) {
	err := cqrs.HybridConfig{
		Commands:     uncomparable{},
		Destinations: map[string]cqrs.Transport{"audit": nil},
	}.Validate()
	require.Error(t, err)
	for _, want := range []string{"Default is required", "Commands", "not comparable", `Destinations["audit"] is nil`} {
		assert.ErrorContains(t, err, want)
	}
	_, err = cqrs.NewHybridTransport(cqrs.HybridConfig{})
	require.ErrorContains(t, err, "Default")

	var unset *cqrs.ChannelTransport // declared, never assigned
	err = cqrs.HybridConfig{Default: newChannelTransport(t), Events: unset,
		Destinations: map[string]cqrs.Transport{"audit": unset}}.Validate()
	require.Error(t, err)
	assert.ErrorContains(t, err, "cqrs: HybridConfig.Events: nil *cqrs.ChannelTransport, must be a transport")
	assert.ErrorContains(t, err, `cqrs: HybridConfig.Destinations["audit"]: nil *cqrs.ChannelTransport`)
}

// On two ChannelTransports, a command goes through the one carrying
// commands and an event through the default; neither sees the other's.
func TestHybridTransport_OnTwoChannelTransports(t *testing.T) {
	commands, events := newChannelTransport(t), newChannelTransport(t)
	h, err := cqrs.NewHybridTransport(cqrs.HybridConfig{Default: events, Commands: commands})
	require.NoError(t, err)
	b := hybridBinding()
	require.NoError(t, h.Bind(context.Background(), b))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	onCommands := subscribe(ctx, t, commands, "orders")
	onEvents := subscribe(ctx, t, events, "order-events")
	strayEvent := subscribe(ctx, t, commands, "order-events")
	for _, dest := range []string{"orders", "order-events"} {
		pub, err := h.Publisher(dest)
		require.NoError(t, err)
		m := message.NewMessage(dest, []byte(`{}`))
		require.NoError(t, pub.Publish(dest, m))
	}
	assert.Equal(t, "orders", receive(ctx, t, onCommands).UUID)
	assert.Equal(t, "order-events", receive(ctx, t, onEvents).UUID)
	select {
	case m := <-strayEvent:
		t.Fatalf("the command transport carried event %s", m.UUID)
	default:
	}
}

func newChannelTransport(t *testing.T) *cqrs.ChannelTransport {
	t.Helper()
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{Async: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	return tr
}

func subscribe(ctx context.Context, t *testing.T, tr cqrs.Transport, dest string) <-chan *message.Message {
	t.Helper()
	sub, err := tr.Subscriber(dest)
	require.NoError(t, err)
	msgs, err := sub.Subscribe(ctx, dest)
	require.NoError(t, err)
	return msgs
}

func receive(ctx context.Context, t *testing.T, msgs <-chan *message.Message) *message.Message {
	t.Helper()
	select {
	case m := <-msgs:
		m.Ack()
		return m
	case <-ctx.Done():
		t.Fatal("no message arrived")
		return nil
	}
}

// Two services share one HybridTransport: each binds the inner transports
// with its own routes, so the second's command to a destination nobody
// listens to is refused, not dropped.
func TestHybridTransport_SharedByTwoServicesBindsBoth(t *testing.T) {
	h, err := cqrs.NewHybridTransport(cqrs.HybridConfig{Default: newTransport(t)})
	require.NoError(t, err)
	orders := newService(t, h, "orders", "orders")
	require.NoError(t, cqrs.Handle(cqrs.NewSaga[Order](orders, "order"), createOrder))
	start(t, orders)
	billing, err := cqrs.NewService(cqrs.ServiceConfig{Name: "billing", Transport: h})
	require.NoError(t, err)
	require.NoError(t, cqrs.RegisterCommand[ProcessPayment](billing, "billing.Charge", "charges"))
	start(t, billing)

	_, err = cqrs.NewAggregate(billing, "invoice").Send(context.Background(), "i-1", ProcessPayment{Amount: 3})
	require.ErrorIs(t, err, cqrs.ErrNoListener)
}
