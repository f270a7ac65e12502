package cqrs_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// TestAServiceClosedWhileItsSharedRouterSubscribesItHandlesNothing: the
// caller's router (ServiceConfig.Router) is subscribing a service's handler
// when the service closes. The subscription made after the close ends at
// once: the closed service handles no command, and a command to it soon
// finds no listener.
func TestAServiceClosedWhileItsSharedRouterSubscribesItHandlesNothing(t *testing.T) {
	router, err := message.NewRouter(message.RouterConfig{}, watermill.NopLogger{})
	require.NoError(t, err)
	tr := newTransport(t)
	slow := &slowSubscribeTransport{ChannelTransport: tr, entered: make(chan struct{}), release: make(chan struct{})}
	var noted atomic.Int64
	audit := newNoteService(t, cqrs.ServiceConfig{Name: "audit", Transport: slow, Listen: []string{"audit"}, Router: router}, &noted)
	require.NoError(t, audit.Start(context.Background()))
	orders := newOrderApp(t, cqrs.ServiceConfig{Router: router, Transport: tr})
	require.NoError(t, orders.svc.Start(context.Background()))
	t.Cleanup(func() { assert.NoError(t, orders.svc.Close()) })

	ran := make(chan error, 1)
	go func() { ran <- router.Run(context.Background()) }()
	t.Cleanup(func() {
		_ = router.Close()
		require.NoError(t, <-ran, "the router ran")
	})
	<-slow.entered // the router is subscribing the audit handler
	require.NoError(t, audit.Close())
	close(slow.release)
	<-router.Running()

	sender, err := cqrs.NewService(cqrs.ServiceConfig{Name: "sender", Transport: tr})
	require.NoError(t, err)
	require.NoError(t, cqrs.RegisterCommand[CreateOrder](sender, "audit.Note", "audit"))
	require.NoError(t, sender.Start(context.Background()))
	t.Cleanup(func() { assert.NoError(t, sender.Close()) })
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err = cqrs.NewAggregate(sender, "note").Send(context.Background(), "n-1", CreateOrder{})
		if errors.Is(err, cqrs.ErrNoListener) || time.Now().After(deadline) {
			break
		}
	}
	require.ErrorIs(t, err, cqrs.ErrNoListener, "the closed service still listens")
	assert.Zero(t, noted.Load(), "the closed service handled a command")
}

// slowSubscribeTransport is a ChannelTransport whose first Subscribe waits
// for release after it began (entered).
type slowSubscribeTransport struct {
	*cqrs.ChannelTransport
	entered, release chan struct{}
	once             atomic.Bool
}

func (s *slowSubscribeTransport) Subscriber(destination string) (message.Subscriber, error) {
	sub, err := s.ChannelTransport.Subscriber(destination)
	if err != nil {
		return nil, err
	}
	return slowSubscriber{Subscriber: sub, s: s}, nil
}

type slowSubscriber struct {
	message.Subscriber
	s *slowSubscribeTransport
}

func (w slowSubscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	if w.s.once.CompareAndSwap(false, true) {
		close(w.s.entered)
		<-w.s.release
	}
	return w.Subscriber.Subscribe(ctx, topic)
}
