package cqrs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

type (
	subPlace  struct{ N int }
	subPlaced struct{ N int }
	subState  struct{ N int }
)

// On the synchronous ChannelTransport, a subscription added while a
// handler runs (a service starting beside a busy one) does not wait for the
// publish that handler is part of, and the handler's own publish goes on:
// with one gochannel pub/sub for every destination, the subscription waited
// for the publish, which waited for the handler, which waited for it.
func TestChannelSubscribingWhileAHandlerPublishesDoesNotWaitForIt(t *testing.T) {
	ctx := context.Background()
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{MaxDeliveries: 1})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tr.Close() })
	svc, err := cqrs.NewService(cqrs.ServiceConfig{Name: "shop", Transport: tr, Listen: []string{"places", "placed"}})
	require.NoError(t, err)
	subscribed := make(chan error, 1)
	require.NoError(t, errors.Join(
		cqrs.RegisterCommand[subPlace](svc, "sub.Place", "places"),
		cqrs.RegisterEvent[subPlaced](svc, "sub.Placed", "placed"),
		cqrs.Handle(cqrs.NewSaga[subState](svc, "place"), func(ctx context.Context, s *subState, c subPlace, env cqrs.Envelope) ([]any, error) {
			go func() {
				sub, err := tr.Subscriber("audit")
				if err == nil {
					_, err = sub.Subscribe(ctx, "audit")
				}
				subscribed <- err
			}()
			select {
			case err := <-subscribed:
				if err != nil {
					return nil, err
				}
			case <-time.After(20 * time.Second):
				return nil, errors.New("the subscription waited for the publish this handler is part of")
			}
			s.N = c.N
			_, err := svc.EventQueue().Raise(ctx, env.EntityID, subPlaced(c))
			return nil, err
		}),
		cqrs.Project(cqrs.NewView[subState](svc, "placed"), func(_ context.Context, m *subState, ev subPlaced, _ cqrs.Envelope) error {
			m.N = ev.N
			return nil
		}),
	))
	require.NoError(t, svc.Start(ctx))
	t.Cleanup(func() { assert.NoError(t, svc.Close()) })

	_, err = cqrs.NewAggregate(svc, "place").Send(ctx, "p-1", subPlace{N: 7})
	require.NoError(t, err)
	assert.Empty(t, tr.DeadLetters())
}

// A handler's publish to its own destination is handed over in order, not
// waited for; after the transport closed, it is refused rather than queued
// for a hand-over nothing waits for.
func TestChannelHandOverAfterCloseIsRefused(t *testing.T) {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	handled := make(chan context.Context, 1)
	router, pub := loopRouter(t, tr, func(msg *message.Message) error {
		handled <- msg.Context()
		return nil
	})
	require.NoError(t, pub.Publish("loop", message.NewMessage(watermill.NewUUID(), nil)))
	handlerCtx := <-handled
	require.NoError(t, router.Close())
	require.NoError(t, tr.Close())

	again := message.NewMessage(watermill.NewUUID(), nil)
	again.SetContext(handlerCtx) // published from the handler of "loop"
	assert.Error(t, pub.Publish("loop", again))
}

// A hand-over still queued when the transport closes is dead-lettered,
// saying why: the handler's publish had returned nil, so a log line alone
// would lose it. The one under way as the transport closes, handed to
// gochannel, may be dropped there before it reaches the subscription: it
// is dead-lettered too, saying so.
func TestChannelHandOverQueuedAtCloseIsDeadLettered(t *testing.T) {
	tr, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	handled, release := make(chan context.Context, 1), make(chan struct{})
	router, pub := loopRouter(t, tr, func(msg *message.Message) error {
		select {
		case handled <- msg.Context():
			<-release // the first message holds the destination
		default:
		}
		return nil
	})
	t.Cleanup(func() { _ = router.Close() })
	go func() { _ = pub.Publish("loop", message.NewMessage(watermill.NewUUID(), nil)) }()
	handlerCtx := <-handled

	var queued []string
	for range 2 {
		m := message.NewMessage(watermill.NewUUID(), nil)
		m.SetContext(handlerCtx) // published from the handler of "loop"
		require.NoError(t, pub.Publish("loop", m))
		queued = append(queued, m.UUID)
	}
	require.NoError(t, tr.Close())
	close(release)

	// A subscription awaiting the message dead-letters it once the handler
	// it waits on returns, which may be after Close returned: closing the
	// router waits for the subscription to end, so every dead letter is
	// recorded.
	require.NoError(t, router.Close())
	times := map[string]int{}
	for _, dl := range tr.DeadLetters() {
		assert.Regexp(t, "^(handed over after its publish returned, and failed: cqrs: ChannelTransport is closed"+
			"|not delivered: its subscription closed before the message reached it)$", dl.Reason)
		times[dl.Message.UUID]++
	}
	assert.Equal(t, 1, times[queued[1]], "the hand-over queued behind the one under way is dead-lettered once")
	for id, n := range times {
		assert.Equal(t, 1, n, "message %s is dead-lettered once", id)
	}
}

// loopRouter runs a router whose handler h consumes the destination "loop"
// of tr, and returns it with tr's publisher of "loop".
func loopRouter(t *testing.T, tr *cqrs.ChannelTransport, h message.NoPublishHandlerFunc) (*message.Router, message.Publisher) {
	t.Helper()
	sub, err := tr.Subscriber("loop")
	require.NoError(t, err)
	router, err := message.NewRouter(message.RouterConfig{}, watermill.NopLogger{})
	require.NoError(t, err)
	router.AddConsumerHandler("loop", "loop", sub, h)
	go func() { _ = router.Run(context.Background()) }()
	<-router.Running()
	pub, err := tr.Publisher("loop")
	require.NoError(t, err)
	return router, pub
}
