package cqrs_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// stallingSubscriber subscribes through the rig's gochannel, except that
// while stalled its Subscribe waits until its context ends, as a SQL
// subscriber does while its database does not answer.
type stallingSubscriber struct {
	gochannelSubscriber
	stalled *atomic.Bool
	waiting *atomic.Int64 // Subscribe calls under way
}

func (s stallingSubscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	if !s.stalled.Load() {
		return s.gochannelSubscriber.Subscribe(ctx, topic)
	}
	s.waiting.Add(1)
	defer s.waiting.Add(-1)
	<-ctx.Done()
	return nil, ctx.Err()
}

// TestAStartWhoseSubscribeHangsEndsWithItsContext: on a PubSubTransport
// whose Pub/Sub does not answer a subscribe, Start returns its context's
// error once the deadline passed, leaves no subscribe waiting, and a
// retried Start, once the Pub/Sub answers, runs the flow.
func TestAStartWhoseSubscribeHangsEndsWithItsContext(t *testing.T) {
	rig := newPubSubRig(t)
	var stalled atomic.Bool
	var waiting atomic.Int64
	stalled.Store(true)
	tr := rig.transport(t, cqrs.PubSubConfig{Subscriber: func(string, string) (message.Subscriber, error) {
		return stallingSubscriber{gochannelSubscriber: gochannelSubscriber{rig.gc}, stalled: &stalled, waiting: &waiting}, nil
	}})
	app := newOrderApp(t, cqrs.ServiceConfig{Transport: tr})

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	started := make(chan error, 1)
	go func() { started <- app.svc.Start(ctx) }()
	select {
	case err := <-started:
		require.ErrorIs(t, err, context.DeadlineExceeded)
	case <-time.After(10 * time.Second):
		t.Fatal("Start still waits for the subscribe 10s after its deadline")
	}
	assert.Zero(t, waiting.Load(), "no subscribe is left waiting")

	stalled.Store(false)
	app.start(t)
	_, err := app.agg.Send(context.Background(), "o-1", CreateOrder{Amount: 2})
	require.NoError(t, err)
	eventually(t, func() bool {
		s, ok, err := app.view.Get(context.Background(), "o-1")
		return err == nil && ok && s.Paid
	}, "the retried Start runs the flow")
}

// endingTransport is a transport whose subscribers call end once they
// subscribed.
type endingTransport struct {
	cqrs.Transport
	end atomic.Pointer[context.CancelFunc]
}

func (t *endingTransport) Subscriber(dest string) (message.Subscriber, error) {
	sub, err := t.Transport.Subscriber(dest)
	return endingSubscriber{Subscriber: sub, t: t}, err
}

type endingSubscriber struct {
	message.Subscriber
	t *endingTransport
}

func (s endingSubscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	out, err := s.Subscriber.Subscribe(ctx, topic)
	if end := s.t.end.Load(); end != nil {
		(*end)()
	}
	return out, err
}

// TestAStartWhoseContextEndsAsItSubscribesCanBeRetried: the Start context
// ends while the router subscribes on the ChannelTransport. Start either
// ran the router or fails with the context's error leaving no listener, so
// the retried Start listens to the same command destinations.
func TestAStartWhoseContextEndsAsItSubscribesCanBeRetried(t *testing.T) {
	tr := &endingTransport{Transport: newTransport(t)}
	app := newOrderApp(t, cqrs.ServiceConfig{Transport: tr})
	ctx, cancel := context.WithCancel(context.Background())
	tr.end.Store(&cancel)
	if err := app.svc.Start(ctx); err != nil {
		require.ErrorIs(t, err, context.Canceled)
		tr.end.Store(nil)
		require.NoError(t, app.svc.Start(context.Background()), "the retry listens to the same destinations")
	}
	t.Cleanup(func() { require.NoError(t, app.svc.Close()) })
	_, err := app.agg.Send(context.Background(), "o-1", CreateOrder{Amount: 1})
	require.NoError(t, err)
	eventually(t, func() bool {
		s, ok, err := app.view.Get(context.Background(), "o-1")
		return err == nil && ok && s.Paid
	}, "the flow runs")
}
